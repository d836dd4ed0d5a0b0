"""DIGITS Model Store descriptors: master.json, info.json, aux.json, snapshot tarballs, live stores."""
