"""Rules of the DIGITS Model Store (MDV3xx): store folders, snapshot tarballs and live stores.

Each rule's ``doc`` gives the reason for it and a failing and a passing example; ``mdvalidator
rules MDV3xx`` prints it. Codes group by what they look at: 301-309 the JSON text itself,
310-319 the keys and values of master.json / info.json / aux.json, 320-325 store layout and
referenced files, 326-330 integrity, 331-333 tarballs, 334-338 live stores and the whole store,
339-340 tarballs again (expansion, names).
"""

from __future__ import annotations

from mdvalidator.problem import Severity
from mdvalidator.rule import Rule

FAMILY = "digits-model-store"


def _rule(
    code: str, name: str, summary: str, doc: str, severity: Severity = Severity.ERROR
) -> Rule:
    return Rule(code, name, summary, doc.strip(), severity, FAMILY)


JSON_SYNTAX = _rule(
    "MDV301",
    "json-syntax",
    "A store file is not valid JSON",
    """
DIGITS reads master.json, info.json and aux.json with Python's json module; one bad file makes
the whole store list fail with HTTP 500. Reported at the error's line and column, naming the
usual hand-editing slips: trailing commas, single quotes, comments, True/None, invalid UTF-8,
nesting deeper than the rule set's `json.max-depth`.

Failing:  {'msg': 'My store', 'children': ['lenet',]}
Passing:  {"msg": "My store", "children": ["lenet"]}
""",
)
JSON_DUPLICATE_KEY = _rule(
    "MDV302",
    "json-duplicate-key",
    "A JSON object repeats a key",
    """
JSON parsers disagree on repeated keys; Python keeps the last, so the first value is silently
ignored. Reported at the repeated key, as an error that nothing in the file can turn off.
Everything else is checked on the value DIGITS uses, the last: with `"snapshot file"` given
twice, the file that must exist (and be listed in SHA256SUMS) is the second one, never the
first, so a store cannot show a checked file while DIGITS imports another.

Failing:  {"framework": "caffe", "name": "LeNet", "framework": "torch"}
Passing:  {"framework": "caffe", "name": "LeNet"}
""",
)
JSON_NON_FINITE = _rule(
    "MDV303",
    "json-non-finite-number",
    "NaN or Infinity where JSON allows only numbers",
    """
Python writes and reads NaN and Infinity, but they are not JSON: browsers and most other
clients reject the file.

Failing:  {"accuracy": NaN}
Passing:  {"accuracy": 0.98}
""",
)
FILE_TOO_LARGE = _rule(
    "MDV304",
    "store-file-too-large",
    "A store JSON file is larger than the size cap",
    """
master.json, info.json and aux.json are a few kilobytes. A file over the size cap
(`--max-file-size`, default 4 MiB) is not read, so a hostile store cannot exhaust memory.

Failing:  a 50 MB info.json
Passing:  the 1 KB info.json DIGITS writes
""",
)
FILE_UNREADABLE = _rule(
    "MDV305",
    "store-file-unreadable",
    "A store file cannot be read",
    """
The file exists but reading it failed (permissions, a folder where a file belongs, an I/O
error). Nothing else can be checked in it.

Failing:  info.json is a folder
Passing:  info.json is a readable regular file
""",
)
MISSING_KEY = _rule(
    "MDV310",
    "store-missing-key",
    "A required key is missing",
    """
DIGITS indexes these keys directly: master.json needs `msg` and `children`; importing a model
needs info.json's `framework`, `name`, `snapshot file` and a model definition (`model file`, or
the legacy `network file`); Caffe jobs also carry `deploy file`, `solver file` and
`train_val file`. The list is data: `required` in rules/digits-model-store.toml.

Failing:  {"msg": "No children key"}
Passing:  {"msg": "My store", "children": []}
""",
)
WRONG_TYPE = _rule(
    "MDV311",
    "store-wrong-type",
    "A value has the wrong JSON type",
    """
Each known key has a type (`types` in the rule set): `children` a list of strings, `name` a
string, `image dimensions` three positive integers [height, width, channels].

Failing:  "image dimensions": [28, 28]
Passing:  "image dimensions": [28, 28, 1]
""",
)
VALUE_NOT_ALLOWED = _rule(
    "MDV312",
    "store-value-not-allowed",
    "A value is not one of the allowed values",
    """
DIGITS 6 knows three frameworks and raises on any other; `image resize mode` and `mean
subtraction` take fixed values. The lists are data (`allowed` in the rule set).

Failing:  "framework": "Caffe"
Passing:  "framework": "caffe"
""",
)
EMPTY_VALUE = _rule(
    "MDV313",
    "store-empty-value",
    "A value that must say something is empty",
    """
An empty `name` shows an empty row in the store; an empty file name names no file.

Failing:  "name": ""
Passing:  "name": "LeNet"
""",
)
UNKNOWN_KEY = _rule(
    "MDV314",
    "store-unknown-key",
    "A key DIGITS neither writes nor reads",
    """
Usually a typo (`snapshot_file`), which then also shows as a missing key. The known keys are
data (`known` in the rule set); a hub that adds its own keys lists them there.

Failing:  "snapshot_file": "snapshot_iter_28140.caffemodel"
Passing:  "snapshot file": "snapshot_iter_28140.caffemodel"
""",
    Severity.WARNING,
)
VALUE_PATTERN = _rule(
    "MDV315",
    "store-value-pattern",
    "A value does not have the expected form",
    """
Job ids look like `20171020-140211-4a2b` and creation times like `2017-10-20 14:02:11.532145`;
a value in another form was edited by hand. The patterns are data (`patterns`).

Failing:  "id": "lenet"
Passing:  "id": "20171020-140211-4a2b"
""",
    Severity.WARNING,
)
LEGACY_MODEL_KEY = _rule(
    "MDV316",
    "legacy-model-key",
    "The model definition uses the legacy `network file` key",
    """
DIGITS wrote `network file` for a month in 2016 before renaming it `model file`. Clients still
accept it, but tools written since look for `model file` only.

Failing:  "network file": "original.prototxt"
Passing:  "model file": "original.prototxt"
""",
    Severity.WARNING,
)
NO_SNAPSHOT = _rule(
    "MDV317",
    "no-snapshot",
    "The model has no trained weights",
    """
DIGITS writes `"snapshot file": "no snapshots"` for a job that never saved weights; importing
it downloads a file of that name and fails.

Failing:  "snapshot file": "no snapshots"
Passing:  "snapshot file": "snapshot_iter_28140.caffemodel"
""",
)
STATUS_NOT_DONE = _rule(
    "MDV318",
    "status-not-done",
    "The training job did not finish",
    """
A job published while Running, Aborted or in Error carries weights from an unfinished run.

Failing:  "status": "Aborted"
Passing:  "status": "Done"
""",
    Severity.WARNING,
)
WEIGHTS_EXTENSION = _rule(
    "MDV319",
    "weights-extension",
    "The weights file does not match the framework",
    """
Caffe weights end in .caffemodel, Torch in .t7, TensorFlow snapshots are a .ckpt prefix. Import
dispatches on `framework`, so a mismatch loads the weights with the wrong framework.

Failing:  "framework": "torch", "snapshot file": "snapshot_iter_100.caffemodel"
Passing:  "framework": "torch", "snapshot file": "snapshot_30_Model.t7"
""",
)
UNSAFE_CHILD_NAME = _rule(
    "MDV320",
    "unsafe-child-name",
    "A `children` entry is not one plain folder name",
    """
DIGITS builds URLs and local paths from the child names without checks. Each entry must be a
single folder name: no `/` or `\\`, not `.` or `..`, not absolute, no NUL or control characters.

Failing:  "children": ["../../etc", "models/lenet"]
Passing:  "children": ["lenet"]
""",
)
DUPLICATE_CHILD = _rule(
    "MDV321",
    "duplicate-child",
    "A `children` entry is listed twice",
    """
The store would show the model twice, with two ids for one folder.

Failing:  "children": ["lenet", "lenet"]
Passing:  "children": ["lenet"]
""",
)
CHILD_MISSING = _rule(
    "MDV322",
    "child-missing",
    "A listed child folder or its info.json is missing",
    """
Without `<child>/info.json` DIGITS shows an empty row that cannot be imported.

Failing:  "children": ["lenet"] with no lenet/info.json
Passing:  "children": ["lenet"] with lenet/info.json
""",
)
CHILD_NOT_LISTED = _rule(
    "MDV323",
    "child-not-listed",
    "A model folder is not listed in master.json",
    """
A folder holding an info.json that `children` does not name is invisible in the store; it was
usually added without updating master.json. Reported at the `children` key.

Failing:  folders lenet/ and alexnet/, "children": ["lenet"]
Passing:  folders lenet/ and alexnet/, "children": ["lenet", "alexnet"]
""",
    Severity.WARNING,
)
REFERENCED_FILE_MISSING = _rule(
    "MDV324",
    "referenced-file-missing",
    "A file that info.json or aux.json names is missing",
    """
Every `* file` value of info.json must sit next to it (for a TensorFlow snapshot prefix, its
`.index`, `.meta` and `.data-00000-of-00001` files), and so must aux.json's `logo`. DIGITS does
not check download status codes, so a missing file is imported as a 404 page.

Failing:  "snapshot file": "snapshot_iter_28140.caffemodel" with no such file
Passing:  the same, with snapshot_iter_28140.caffemodel in the folder
""",
)
UNSAFE_FILE_NAME = _rule(
    "MDV325",
    "unsafe-file-name",
    "A file name in info.json or aux.json is not a plain name",
    """
DIGITS joins these names to its download folder unchecked, so `../x` writes outside it. A file
name must be one plain name at the folder's top level.

Failing:  "model file": "../../.bashrc"
Passing:  "model file": "original.prototxt"
""",
)
CHECKSUM_MISMATCH = _rule(
    "MDV326",
    "checksum-mismatch",
    "A file's sha256 differs from SHA256SUMS",
    """
SHA256SUMS (the `sha256sum` format) records what the publisher shipped; a different digest
means a corrupt or replaced file. Reported at the SHA256SUMS line, with both digests.

Failing:  the weights were re-uploaded without updating SHA256SUMS
Passing:  `sha256sum -c SHA256SUMS` succeeds
""",
)
CHECKSUM_NOT_LISTED = _rule(
    "MDV327",
    "checksum-not-listed",
    "A file named by info.json is not in SHA256SUMS",
    """
When a folder has a SHA256SUMS, every file the import downloads should be covered by it.

Failing:  SHA256SUMS lists deploy.prototxt only; info.json names the .caffemodel too
Passing:  SHA256SUMS lists every file info.json names
""",
)
CHECKSUMS_MISSING = _rule(
    "MDV328",
    "checksums-missing",
    "A model folder has no SHA256SUMS",
    """
Only with `--require-checksums` (or `checksums.required = true` in the rule set): a store that
promises integrity needs a SHA256SUMS in every model folder (`mdvalidator store add` writes one).

Failing:  lenet/ holds info.json and weights only
Passing:  lenet/SHA256SUMS lists every file
""",
)
CHECKSUM_FILE_INVALID = _rule(
    "MDV329",
    "checksum-file-invalid",
    "A SHA256SUMS line is malformed or names a missing file",
    """
Each line is `<64 hex digits><two spaces or space-star><file name>`, the name a file of the
folder.

Failing:  `d41d8cd9  labels.txt` (an md5, too short)
Passing:  `<64 hex digits>  labels.txt`
""",
)
SYMLINK_REFUSED = _rule(
    "MDV330",
    "symlink-refused",
    "A symbolic link inside a store folder",
    """
A link can point anywhere on the server that hosts the store; mdvalidator does not follow it
and reports it instead. Store folders hold regular files and folders only.

Failing:  lenet/snapshot.caffemodel -> /home/me/jobs/x/snapshot_iter_100.caffemodel
Passing:  lenet/snapshot_iter_100.caffemodel is a regular file
""",
)
ARCHIVE_UNSAFE_MEMBER = _rule(
    "MDV331",
    "archive-unsafe-member",
    "A tarball member is a link, device, sparse file or escapes the folder",
    """
DIGITS' own archive upload extracts without path checks. A snapshot tarball may hold only
regular files and folders with relative names: no absolute or `..` names, no symbolic or hard
links, no devices or FIFOs, no sparse files (a few hundred bytes of archive can declare 15 GiB
of holes, which extraction writes out in full).

Failing:  a member named ../../home/user/.ssh/authorized_keys
Failing:  snapshot_30_Model.t7 stored sparse (`tar --sparse`)
Passing:  members info.json, deploy.prototxt, snapshot_iter_100.caffemodel
""",
)
ARCHIVE_OVER_LIMIT = _rule(
    "MDV332",
    "archive-over-limit",
    "A tarball has too many members or too many bytes",
    """
A snapshot holds about ten files. The caps (`archive.max-members`, `archive.max-bytes`) stop
archive bombs before anything is extracted; a member header (pax record, GNU long name) over
64 KiB is refused before it is read.

Failing:  100,000 empty members
Failing:  a GNU long-name header declaring 300 MB
Passing:  the nine members of a Caffe snapshot
""",
)
ARCHIVE_INVALID = _rule(
    "MDV333",
    "archive-invalid",
    "A tarball cannot be read or has no info.json at its root",
    """
DIGITS looks for the exact member name `info.json` at the archive root (`./info.json` or
`job/info.json` are not found).

Failing:  an archive whose members are 20171020-140211-4a2b/info.json, ...
Passing:  an archive whose members are info.json, deploy.prototxt, ...
""",
)
STORE_UNREACHABLE = _rule(
    "MDV334",
    "store-unreachable",
    "A store's master.json and its folder listing cannot be fetched",
    """
DIGITS logs and skips such a store, so it silently disappears from the model list.

Failing:  https://models.example.org/store/ answers 404 to master.json and to the listing
Passing:  https://models.example.org/store/master.json is served
""",
)
STORE_FILE_UNREACHABLE = _rule(
    "MDV335",
    "store-file-unreachable",
    "A file of a live store could not be fetched",
    """
A network error, a block by the safe fetcher, a truncated body or a server error while
fetching a child's info.json, aux.json or a referenced file.

Failing:  lenet/info.json answers 500
Passing:  lenet/info.json answers 200 with valid JSON
""",
)
STORE_URL_INVALID = _rule(
    "MDV336",
    "store-url-invalid",
    "A DIGITS_MODEL_STORE_URL entry is not a usable URL",
    """
DIGITS refuses to start when an entry of the comma-separated list is empty (a trailing comma)
or has no scheme, and it does not trim spaces.

Failing:  DIGITS_MODEL_STORE_URL="https://a.example/store/, "
Passing:  DIGITS_MODEL_STORE_URL="https://a.example/store/"
""",
)
STORE_LISTING_FALLBACK = _rule(
    "MDV337",
    "store-listing-fallback",
    "A live store has no master.json (directory listing used)",
    """
DIGITS then reads the HTML listing and titles the store "Thanks for visiting <url>". Serving a
master.json gives the store its title and an explicit list of models.

Failing:  only an autoindex page at the store URL
Passing:  master.json at the store URL
""",
    Severity.WARNING,
)
DUPLICATE_MODEL_ID = _rule(
    "MDV338",
    "duplicate-model-id",
    "Two model folders carry the same job id",
    """
Two info.json files with one `id` are usually a folder copied without re-exporting the job.

Failing:  lenet/info.json and lenet-copy/info.json both say "id": "20171020-140211-4a2b"
Passing:  each model folder holds its own job's export
""",
    Severity.WARNING,
)

ARCHIVE_EXPANSION = _rule(
    "MDV339",
    "archive-expansion-ratio",
    "A tarball declares far more bytes than it holds",
    """
Weights barely compress (about 1.1 : 1), so a real snapshot declares little more than its own
size. An archive whose members declare more than `archive.max-ratio` (100) bytes per byte of
archive is a decompression bomb and is refused before anything is extracted; archives declaring
at most `archive.ratio-from-bytes` (64 MiB) are not held to the ratio.

Failing:  a 2 KB .tar.bz2 holding a 2 GiB member of zero bytes
Passing:  a 45 MB .tar.gz of a 50 MB Caffe snapshot
""",
)
ARCHIVE_NAME_CLASH = _rule(
    "MDV340",
    "archive-name-clash",
    "A tarball holds a file and a folder of one name",
    """
With members `x` (a file) and `x/y`, one of them cannot be extracted: which one depends on the
order and on the tool, so what lands on disk is not what was checked.

Failing:  members model.lua and model.lua/init.lua
Passing:  members model.lua and lua/init.lua
""",
)

RULES: tuple[Rule, ...] = (
    JSON_SYNTAX, JSON_DUPLICATE_KEY, JSON_NON_FINITE, FILE_TOO_LARGE, FILE_UNREADABLE,
    MISSING_KEY, WRONG_TYPE, VALUE_NOT_ALLOWED, EMPTY_VALUE, UNKNOWN_KEY, VALUE_PATTERN,
    LEGACY_MODEL_KEY, NO_SNAPSHOT, STATUS_NOT_DONE, WEIGHTS_EXTENSION,
    UNSAFE_CHILD_NAME, DUPLICATE_CHILD, CHILD_MISSING, CHILD_NOT_LISTED,
    REFERENCED_FILE_MISSING, UNSAFE_FILE_NAME,
    CHECKSUM_MISMATCH, CHECKSUM_NOT_LISTED, CHECKSUMS_MISSING, CHECKSUM_FILE_INVALID,
    SYMLINK_REFUSED, ARCHIVE_UNSAFE_MEMBER, ARCHIVE_OVER_LIMIT, ARCHIVE_INVALID,
    STORE_UNREACHABLE, STORE_FILE_UNREACHABLE, STORE_URL_INVALID, STORE_LISTING_FALLBACK,
    DUPLICATE_MODEL_ID, ARCHIVE_EXPANSION, ARCHIVE_NAME_CLASH,
)  # fmt: skip
