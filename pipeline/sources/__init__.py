"""Sources: find input files and turn their bytes into documents (or rejections)."""

from pipeline.sources.discover import InputFile, count_inputs, discover_inputs
from pipeline.sources.read import read_input
from pipeline.sources.text import read_text_file

__all__ = ["InputFile", "count_inputs", "discover_inputs", "read_input", "read_text_file"]
