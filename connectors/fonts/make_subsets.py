"""Make the letter fonts: DejaVu Sans cut down to the Latin scripts, without layout tables.

WeasyPrint subsets every font it embeds, once per PDF; on the full DejaVu Sans (6,000 glyphs
and large GSUB/GPOS tables) that was 85 % of a letter's CPU. These cuts hold the characters
of Latin-script names, addresses and amounts (about 600 glyphs each), so subsetting them is
cheap; a character outside them falls back to the system's fonts. Run from the project root
after changing the ranges (needs fontTools, which WeasyPrint installs):

    python connectors/fonts/make_subsets.py /usr/share/fonts/truetype/dejavu
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FACES = {
    "DejaVuSans.ttf": "DocketLetter-Regular.ttf",
    "DejaVuSans-Bold.ttf": "DocketLetter-Bold.ttf",
    "DejaVuSans-Oblique.ttf": "DocketLetter-Italic.ttf",
    "DejaVuSans-BoldOblique.ttf": "DocketLetter-BoldItalic.ttf",
}
RANGES = (
    (0x0020, 0x024F),  # Basic Latin, Latin-1, Latin Extended-A and -B
    (0x02B0, 0x02FF),  # spacing modifier letters
    (0x0300, 0x036F),  # combining diacritics (decomposed names)
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese)
    (0x2010, 0x205E),  # dashes, quotes, bullets, ellipsis, per mille
    (0x20A0, 0x20C0),  # currency signs
    (0x2100, 0x2150),  # letterlike symbols: ℅ № ™
    (0x2190, 0x2193),  # arrows
)


def main(source: Path) -> None:
    here = Path(__file__).parent
    unicodes = [code for first, last in RANGES for code in range(first, last + 1)]
    for name, target in FACES.items():
        options = subset.Options()
        options.layout_features = []
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "FFTM"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        options.hinting = False
        font = TTFont(source / name)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(font)
        font.save(here / target)
        print(f"{target}: {len(font.getGlyphOrder())} glyphs")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/dejavu"))
