#!/usr/bin/python3
"""Benchmark driver for python3-langdetect (Debian): one text per stdin line, prints
"<lang>\t<probability>" ("und" when it raises), deterministic seed."""
import sys

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

DetectorFactory.seed = 0
for line in sys.stdin:
    try:
        best = detect_langs(line.rstrip("\n"))[0]
        print(f"{best.lang}\t{best.prob:.4f}")
    except LangDetectException:
        print("und\t0")
