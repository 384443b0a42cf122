"""One copy of each font program in a joined report (used by ``pdfjoin.join_tagged``).

The pieces' subsets of a typeface (WeasyPrint keeps the glyph ids when it subsets) are merged at the byte
level (glyf, loca, hmtx) into one subset that every piece's font dictionary shares.
"""

from __future__ import annotations

import array
import io
import re
import struct
import sys
import zlib
from dataclasses import dataclass

import pikepdf
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables.DefaultTable import DefaultTable
from pikepdf import Array, Dictionary, Name


def merge_fonts(pdf: pikepdf.Pdf) -> None:
    """One font per typeface in the joined document, as if it had been rendered as one.

    WeasyPrint subsets with the glyph ids kept (fontTools retain_gids / HarfBuzz RETAIN_GIDS), so the
    pieces' subsets of one typeface differ only in which glyphs they hold: their union (one program),
    their widths and their Unicode maps merged serve every piece. Every font resource of every piece
    then names the one merged font.
    """
    groups: dict[str, list] = {}
    resource_dicts, seen_fonts, seen_resources = [], set(), set()
    # The fonts in use: those of the pages' resources and of the forms they draw (stamps, charts).
    pending = [page.obj.get("/Resources") for page in pdf.pages]
    while pending:
        resources = pending.pop()
        if not isinstance(resources, Dictionary):
            continue
        if resources.is_indirect:
            if resources.objgen in seen_resources:
                continue
            seen_resources.add(resources.objgen)
        fonts = resources.get("/Font")
        if isinstance(fonts, Dictionary):
            resource_dicts.append(fonts)
            for _key, font in fonts.items():
                if font.objgen in seen_fonts or font.get("/Subtype") != Name.Type0:
                    continue
                seen_fonts.add(font.objgen)
                descriptor = font.DescendantFonts[0].get("/FontDescriptor")
                if descriptor is not None and "/FontFile2" in descriptor:
                    groups.setdefault(str(font.BaseFont).lstrip("/").split("+", 1)[-1], []).append(font)
        for _key, xobject in (resources.get("/XObject") or Dictionary()).items():
            if xobject.get("/Subtype") == Name.Form:
                pending.append(xobject.get("/Resources"))
    replacement = {}
    for fonts in groups.values():
        if len(fonts) < 2:
            continue
        merged = _merged_font(pdf, fonts)
        for font in fonts:
            replacement[font.objgen] = merged
    for fonts in resource_dicts:
        for key in list(fonts.keys()):
            font = fonts[key]
            if isinstance(font, Dictionary) and font.objgen in replacement:
                fonts[key] = replacement[font.objgen]


_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")


def _widths(array) -> dict[int, object]:
    """The /W array of a CIDFont as {glyph id: width}."""
    widths, items, index = {}, list(array), 0
    while index < len(items):
        first = int(items[index])
        following = items[index + 1]
        if isinstance(following, Array):
            for offset, width in enumerate(following):
                widths[first + offset] = width
            index += 2
        else:
            for glyph in range(first, int(following) + 1):
                widths[glyph] = items[index + 2]
            index += 3
    return widths


def _merged_font(pdf: pikepdf.Pdf, fonts: list) -> Dictionary:
    """One Type0 font standing for ``fonts`` (subsets of one typeface from several pieces)."""
    programs = {font.DescendantFonts[0].FontDescriptor.FontFile2.objgen: font for font in fonts}
    program = _merged_program(
        [font.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes() for font in programs.values()]
    )
    stream = pikepdf.Stream(pdf, zlib.compress(program, 6))
    stream.Filter = Name.FlateDecode
    stream.Length1 = len(program)
    widths: dict[int, object] = {}
    unicode: dict[bytes, bytes] = {}
    for font in fonts:
        widths.update(_widths(font.DescendantFonts[0].get("/W", Array())))
        if "/ToUnicode" in font:
            unicode.update(_BFCHAR.findall(font.ToUnicode.read_bytes()))
    first = fonts[0]
    descendant = first.DescendantFonts[0]
    descriptor = Dictionary({key: value for key, value in descendant.FontDescriptor.items()})
    descriptor.FontFile2 = pdf.make_indirect(stream)
    if "/CIDSet" in descriptor:
        del descriptor.CIDSet  # (PDF/A-1 only) would list the glyphs of one piece
    new_descendant = Dictionary({key: value for key, value in descendant.items()})
    new_descendant.FontDescriptor = pdf.make_indirect(descriptor)
    new_descendant.W = Array([item for glyph in sorted(widths) for item in (glyph, Array([widths[glyph]]))])
    lines = [
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        b"1 begincodespacerange <0000> <ffff> endcodespacerange",
    ]
    entries = sorted(unicode.items(), key=lambda item: int(item[0], 16))
    for start in range(0, len(entries), 100):
        batch = entries[start : start + 100]
        lines.append(b"%d beginbfchar" % len(batch))
        lines += [b"<" + glyph + b"> <" + text + b">" for glyph, text in batch]
        lines.append(b"endbfchar")
    lines.append(b"endcmap CMapName currentdict /CMap defineresource pop end end")
    to_unicode = pikepdf.Stream(pdf, zlib.compress(b"\n".join(lines), 6))
    to_unicode.Filter = Name.FlateDecode
    merged = Dictionary({key: value for key, value in first.items()})
    merged.DescendantFonts = Array([pdf.make_indirect(new_descendant)])
    merged.ToUnicode = pdf.make_indirect(to_unicode)
    return pdf.make_indirect(merged)


# Tables that list something per glyph beside glyf/loca/hmtx (merged below): dropped, as a subsetter does.
_PER_GLYPH_TABLES = ("hdmx", "LTSH", "VDMX", "vmtx", "vhea", "VORG", "gvar")


@dataclass
class _Subset:
    """The per-glyph tables of one subset, read from the raw bytes (nothing decompiled)."""

    font: TTFont
    glyphs: int
    offsets: array.array  # loca: where each glyph's outline starts and ends in glyf
    glyf: bytes
    advances: list[int]
    bearings: list[int]

    @classmethod
    def read(cls, program: bytes) -> _Subset:
        font = TTFont(io.BytesIO(program), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
        raw = font.reader
        glyphs = struct.unpack_from(">H", raw["maxp"], 4)[0]
        long_offsets = struct.unpack_from(">h", raw["head"], 50)[0] == 1
        offsets = array.array("I" if long_offsets else "H")
        offsets.frombytes(raw["loca"][: (glyphs + 1) * offsets.itemsize])
        if sys.byteorder == "little":
            offsets.byteswap()
        if not long_offsets:
            offsets = array.array("I", (offset * 2 for offset in offsets))
        metrics_count = struct.unpack_from(">H", raw["hhea"], 34)[0]
        hmtx = raw["hmtx"]
        pairs = struct.unpack_from(f">{metrics_count * 2}H", hmtx)
        advances = list(pairs[0::2])
        bearings = [bearing - 0x10000 if bearing > 0x7FFF else bearing for bearing in pairs[1::2]]
        rest = glyphs - metrics_count
        if rest > 0:
            advances += [advances[-1]] * rest
            bearings += list(struct.unpack_from(f">{rest}h", hmtx, metrics_count * 4))
        return cls(font, glyphs, offsets, raw["glyf"], advances, bearings)

    def outline(self, glyph: int) -> bytes:
        return self.glyf[self.offsets[glyph] : self.offsets[glyph + 1]] if glyph < self.glyphs else b""


def _raw_table(tag: str, data: bytes) -> DefaultTable:
    table = DefaultTable(tag)
    table.data = data
    return table


def _merged_program(programs: list[bytes]) -> bytes:
    """The union of subsets of one TrueType font that kept their glyph ids, merged at the byte level.

    Each glyph id takes its outline (and metrics) from a subset that holds it; the tables that count or
    bound glyphs (maxp, head, hhea) take the largest values of all; everything else comes from the
    longest subset. Nothing is decompiled: a few dozen subsets of thousands of glyph ids merge in
    milliseconds, where decompiling them with fontTools took seconds a report.
    """
    subsets = sorted((_Subset.read(program) for program in programs), key=lambda s: s.glyphs, reverse=True)
    base = subsets[0]
    count = base.glyphs  # (a subset ends at its highest glyph id: the longest covers all the others)
    # Which subset gives each glyph its outline, and which its advance (a space has an advance only).
    outlines: dict[int, _Subset] = {}
    advances: dict[int, _Subset] = {}
    for subset in subsets:
        offsets = subset.offsets
        for glyph in range(subset.glyphs):
            if offsets[glyph + 1] > offsets[glyph]:
                outlines.setdefault(glyph, subset)
            if subset.advances[glyph]:
                advances.setdefault(glyph, subset)
    glyf, loca, metrics = bytearray(), array.array("I"), bytearray()
    for glyph in range(count):
        owner = outlines.get(glyph) or advances.get(glyph)
        outline = owner.outline(glyph) if owner is not None else b""
        loca.append(len(glyf))
        glyf += outline + b"\0" * (-len(outline) % 4)
        if owner is None:
            metrics += b"\0\0\0\0"
        else:
            advance = owner.advances[glyph] or advances[glyph].advances[glyph] if glyph in advances else 0
            metrics += struct.pack(">Hh", advance, owner.bearings[glyph])
    loca.append(len(glyf))
    if sys.byteorder == "little":
        loca.byteswap()

    raws = [subset.font.reader for subset in subsets]
    head = bytearray(base.font.reader["head"])
    struct.pack_into(">I", head, 8, 0)  # checkSumAdjustment: computed again when written
    boxes = [struct.unpack_from(">4h", raw["head"], 36) for raw in raws]
    struct.pack_into(
        ">4h",
        head,
        36,
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    struct.pack_into(">h", head, 50, 1)  # long loca offsets
    hhea = bytearray(base.font.reader["hhea"])
    fields = [struct.unpack_from(">H3h", raw["hhea"], 10) for raw in raws]
    struct.pack_into(
        ">H3h",
        hhea,
        10,
        max(f[0] for f in fields),
        min(f[1] for f in fields),
        min(f[2] for f in fields),
        max(f[3] for f in fields),
    )
    struct.pack_into(">H", hhea, 34, count)
    maxp = bytearray(base.font.reader["maxp"])
    struct.pack_into(">H", maxp, 4, count)
    if len(maxp) >= 32:  # version 1.0: the largest of each limit (points, contours, stack...)
        limits = [struct.unpack_from(">13H", raw["maxp"], 6) for raw in raws if len(raw["maxp"]) >= 32]
        struct.pack_into(">13H", maxp, 6, *(max(values) for values in zip(*limits, strict=True)))
    font = base.font
    font["glyf"] = _raw_table("glyf", bytes(glyf))
    font["loca"] = _raw_table("loca", loca.tobytes())
    font["hmtx"] = _raw_table("hmtx", bytes(metrics))
    font["head"] = _raw_table("head", bytes(head))
    font["hhea"] = _raw_table("hhea", bytes(hhea))
    font["maxp"] = _raw_table("maxp", bytes(maxp))
    post = font.reader["post"]
    if struct.unpack_from(">I", post, 0)[0] != 0x00030000:
        # A name per glyph (format 2) would no longer match the glyph count: no names (format 3).
        font["post"] = _raw_table("post", struct.pack(">I", 0x00030000) + post[4:32])
    for tag in _PER_GLYPH_TABLES:
        if tag in font:
            del font[tag]
    output = io.BytesIO()
    font.save(output, reorderTables=False)
    return output.getvalue()
