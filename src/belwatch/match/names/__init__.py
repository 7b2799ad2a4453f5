"""Name forms for screening: Cyrillic transliteration and spelling-independent keys."""

from belwatch.match.names.keys import name_key, name_keys
from belwatch.match.names.script import detect_cyrillic_language, fix_mixed_script
from belwatch.match.names.translit import SCHEMES, transliterate

__all__ = [
    "SCHEMES",
    "detect_cyrillic_language",
    "fix_mixed_script",
    "name_key",
    "name_keys",
    "transliterate",
]
