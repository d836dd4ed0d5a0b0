"""DIGITS Model Store: master.json, info.json, aux.json, snapshot tarballs and live stores."""
