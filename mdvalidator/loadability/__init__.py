"""Will ``mindspore_hub.load`` work? A card checked the way the hub's loader reads it.

Pure functions, wired into the card family by its rule modules
(``families/mindspore/rules/loader.py`` offline, ``rules/loader_conf.py`` with ``--check-conf``):

- :mod:`.repo_link` reads ``repo-link`` as the loader does (shape, branch, folders);
- :mod:`.weights` says which asset it loads as weights, and whether its downloader keeps it;
- :mod:`.conf_url` derives the raw URL of the conf file on Gitee and GitHub;
- :mod:`.conf_ast` / :mod:`.conf_names` read a conf file with ``ast`` (never run it);
- :mod:`.conf_fetch` reads conf files safely, once per URL (the only I/O; lazy imports);
- :mod:`.findings` (offline) / :mod:`.conf_findings` and :mod:`.conf_check` (the conf file)
  turn all that into findings of the checks in :mod:`.codes` (MDV150-MDV159);
  :mod:`.card_values` is the input they take.

The facts they rely on are in :mod:`.loader_facts` and ``docs/loadability.md``.
"""
