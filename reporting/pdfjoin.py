"""Finishing the report PDFs with pikepdf: one accessible, archival, compact document from tagged pieces.

WeasyPrint writes each piece (a country report; the cover and contents, and every part of the
alliance-wide report) as a tagged PDF/A-3a. Joining pieces page by page would lose what makes them
accessible, so ``join_tagged`` builds the joined document itself:

- one structure tree: every piece's elements under one /Document, each page's marked-content numbers
  (/StructParents) and each annotation's /StructParent renumbered into one parent tree;
- one set of named destinations, so the links of the contents (made in the front piece) lead to the
  pages of the parts that hold their targets;
- the running footer and "Page n of N", rendered once for the joined document, stamped as artifacts;
- one copy of each font program: the pieces' subsets of a font (WeasyPrint keeps the glyph ids when it
  subsets) are merged into one subset that every piece's font dictionary shares;
- one XMP packet (title, language, PDF/A-3a and PDF/UA-1 identification), outlines, page labels off.

``finish`` does the same catalog and structure repairs for a single document (a country report).
"""

from __future__ import annotations

import io
import re
import warnings
import zlib
from dataclasses import dataclass

import pikepdf
from fontTools.ttLib import TTFont
from pikepdf import Array, Dictionary, Name, NameTree, NumberTree, OutlineItem

PDFA_PART, PDFA_CONFORMANCE = "3", "A"
# PDF/A accepts XMP properties outside its predefined schemas only when they are declared: this
# declares the PDF/UA identification (pdfuaid:part).
PDFUA_EXTENSION_SCHEMA = b"""<rdf:Description rdf:about=""
  xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
  xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
  xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
 <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
  <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
  <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
  <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
  <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
   <pdfaProperty:name>part</pdfaProperty:name>
   <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
   <pdfaProperty:category>internal</pdfaProperty:category>
   <pdfaProperty:description>Part of ISO 14289 followed</pdfaProperty:description>
  </rdf:li></rdf:Seq></pdfaSchema:property>
 </rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
"""


@dataclass(frozen=True)
class Bookmark:
    title: str
    level: int  # 1 or 2
    page: int  # from 0, in the joined document


def _kids(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


_ROW_GROUPS = (Name.THead, Name.TBody, Name.TFoot)


def _lifted(element, kids: list, wrappers) -> list:
    """``kids`` with every child whose type is in ``wrappers`` replaced by its own children (deeply)."""
    flat = []
    for kid in kids:
        if isinstance(kid, Dictionary) and kid.get("/S") in wrappers:
            flat += _lifted(element, _kids(kid), wrappers)
        else:
            if isinstance(kid, Dictionary) and "/S" in kid:
                kid.P = element
            flat.append(kid)
    return flat


def _repair_structure(root) -> None:
    """Structure WeasyPrint gets wrong, put right so that the tree says what the page shows, and what
    the elements repeat left out (in one walk over the tree, which has hundreds of elements a page):

    - a list (L) holds list items only: the groups between them (``<dl>`` with a ``<div>`` around each
      term and description comes out as L > Div > LI) are lifted out;
    - a row group (THead, TBody, TFoot) holds rows only: row groups nested in one (a table continued
      on the next page) are lifted out, empty ones dropped;
    - /Type (optional) and a /Pg naming the same page as the parent's (marked content inherits the
      page of the nearest element that names one) are left out.
    """
    stack = [(kid, None) for kid in _kids(root)]
    while stack:
        element, inherited = stack.pop()
        if not isinstance(element, Dictionary) or "/S" not in element:
            continue
        kids = _kids(element)
        kind = element.S
        if kind == Name.L and any(isinstance(kid, Dictionary) and kid.get("/S") == Name.Div for kid in kids):
            kids = _lifted(element, kids, (Name.Div,))
            element.K = Array(kids)
        elif kind in _ROW_GROUPS and any(
            isinstance(kid, Dictionary) and kid.get("/S") in _ROW_GROUPS for kid in kids
        ):
            kids = _lifted(element, kids, _ROW_GROUPS)
            element.K = Array(kids)
        if "/Type" in element:
            del element.Type
        page = element.get("/Pg")
        if page is not None and inherited is not None and page.objgen == inherited.objgen:
            del element.Pg
        inherited = page if page is not None else inherited
        stack += [(kid, inherited) for kid in kids]


def _set_metadata(pdf: pikepdf.Pdf, *, title: str, language: str, subject: str = "") -> None:
    """One uncompressed XMP packet that names the title and declares PDF/A-3a and PDF/UA-1."""
    if "/Metadata" in pdf.Root:
        del pdf.Root.Metadata  # WeasyPrint compresses it, which PDF/A forbids: written anew
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:title"] = title
        meta["dc:language"] = [language]
        if subject:
            meta["dc:description"] = subject
        meta["pdf:Producer"] = "Alliance Monitor (WeasyPrint, pikepdf)"
        meta["xmp:CreatorTool"] = "Alliance Monitor"
        meta["pdfaid:part"] = PDFA_PART
        meta["pdfaid:conformance"] = PDFA_CONFORMANCE
        meta["pdfuaid:part"] = "1"
    packet = pdf.Root.Metadata.read_bytes()
    closing = packet.rindex(b"</rdf:RDF>")
    pdf.Root.Metadata.write(packet[:closing] + PDFUA_EXTENSION_SCHEMA + packet[closing:])
    pdf.docinfo[Name.Title] = title
    pdf.docinfo[Name.Producer] = "Alliance Monitor (WeasyPrint, pikepdf)"
    if subject:
        pdf.docinfo[Name.Subject] = subject
    pdf.Root.Lang = pikepdf.String(language)
    pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    pdf.Root.MarkInfo = Dictionary(Marked=True)


def _save(pdf: pikepdf.Pdf) -> bytes:
    """Compressed, with small objects packed into object streams (the structure tree is thousands)."""
    output = io.BytesIO()
    pdf.save(
        output,
        compress_streams=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        deterministic_id=True,
    )
    return output.getvalue()


def finish(pdf_bytes: bytes, *, title: str, language: str, subject: str = "") -> bytes:
    """Repair one WeasyPrint PDF/A-3a into a file that is also PDF/UA-1 (structure and metadata)."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        _repair_structure(pdf.Root.StructTreeRoot)
        for page in pdf.pages:
            if "/Annots" in page.obj:
                page.obj.Tabs = Name.S
        _set_metadata(pdf, title=title, language=language, subject=subject)
        return _save(pdf)


# --- joining -----------------------------------------------------------------------------------------------


def _top_elements(root) -> list:
    return [kid for kid in _kids(root) if isinstance(kid, Dictionary)]


def _copy(pdf: pikepdf.Pdf, value):
    """An object of another PDF in this one (indirect objects through qpdf's copier, which maps every
    object, the pages included, once per source document)."""
    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return pdf.copy_foreign(value)
    if isinstance(value, Array):
        return Array([_copy(pdf, item) for item in value])
    if isinstance(value, Dictionary):
        return Dictionary({key: _copy(pdf, item) for key, item in value.items()})
    return value


def _stamp(pdf: pikepdf.Pdf, overlay: pikepdf.Pdf) -> None:
    """Lay each overlay page (footer, page number) over the same page of ``pdf``, as an artifact."""
    for page, stamp in zip(pdf.pages, overlay.pages, strict=True):
        form = pdf.copy_foreign(stamp.as_form_xobject())
        name = page.add_resource(form, Name.XObject, prefix="Stamp")
        page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
        page.contents_add(pdf.make_stream(b"\nQ\n/Artifact BMC q " + bytes(name) + b" Do Q EMC\n"))


def _merge_fonts(pdf: pikepdf.Pdf) -> None:
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


def _merged_program(programs: list[bytes]) -> bytes:
    """The union of subsets of one TrueType font that kept their glyph ids (glyph by glyph, by id)."""
    fonts = [TTFont(io.BytesIO(program), lazy=True) for program in programs]
    fonts.sort(key=lambda font: len(font.getGlyphOrder()), reverse=True)
    base = fonts[0]  # (a subset ends at its highest glyph id: the longest covers all the others)
    order = base.getGlyphOrder()
    glyf, hmtx = base["glyf"], base["hmtx"]
    for other in fonts[1:]:
        other_glyf, other_hmtx = other["glyf"], other["hmtx"]
        for glyph_id, name in enumerate(other.getGlyphOrder()):
            target = order[glyph_id]
            glyph = other_glyf.glyphs.get(name)
            if getattr(glyph, "data", None) and not getattr(glyf.glyphs.get(target), "data", None):
                glyf.glyphs[target] = glyph
            if hmtx[target][0] == 0 and other_hmtx[name][0] != 0:
                hmtx[target] = other_hmtx[name]
    output = io.BytesIO()
    base.save(output)
    return output.getvalue()


def join_tagged(
    *,
    pieces: list[bytes],
    overlay: bytes,
    bookmarks: list[Bookmark],
    title: str,
    language: str,
    subject: str = "",
) -> tuple[bytes, int]:
    """Join tagged pieces (the first one, the front, gives its catalog) into one tagged document."""
    pdf = pikepdf.open(io.BytesIO(pieces[0]))
    root = pdf.Root.StructTreeRoot
    document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root, K=Array()))
    parent_tree = NumberTree(root.ParentTree)
    next_key = int(root.get("/ParentTreeNextKey", 0)) or (
        max((k for k, _v in parent_tree.items()), default=-1) + 1
    )
    destinations: dict[str, object] = {}
    if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
        destinations.update(NameTree(pdf.Root.Names.Dests).items())

    def adopt(elements) -> None:
        for element in elements:
            if element.get("/S") == Name.Document:
                element.S = Name.Part  # a piece's own /Document becomes one part of the whole
            element.P = document
            document.K.append(element)

    adopt(_top_elements(root))
    sources = []
    for piece in pieces[1:]:
        source = pikepdf.open(io.BytesIO(piece))
        sources.append(source)
        source_root = source.Root.StructTreeRoot
        tops = _top_elements(source_root)
        for element in tops:
            del element.P  # so that copying an element does not drag the piece's tree root along
        first_page = len(pdf.pages)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)  # (destinations are merged below)
            pdf.pages.extend(source.pages)
        adopt([pdf.copy_foreign(element) for element in tops])
        source_tree = NumberTree(source_root.ParentTree)
        highest = -1
        for key, value in source_tree.items():
            parent_tree[next_key + key] = _copy(pdf, value)
            highest = max(highest, key)
        for page in pdf.pages[first_page:]:
            if "/StructParents" in page.obj:
                page.obj.StructParents = next_key + int(page.obj.StructParents)
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = next_key + int(annotation.StructParent)
        if "/Names" in source.Root and "/Dests" in source.Root.Names:
            for name, destination in NameTree(source.Root.Names.Dests).items():
                destinations[name] = _copy(pdf, destination)
        next_key += max(highest + 1, int(source_root.get("/ParentTreeNextKey", 0)))
    root.K = Array([document])
    root.ParentTreeNextKey = next_key
    if destinations:
        if "/Names" not in pdf.Root:
            pdf.Root.Names = Dictionary()
        tree = NameTree.new(pdf)
        for name in sorted(destinations):
            tree[name] = destinations[name]
        pdf.Root.Names.Dests = tree.obj
    _repair_structure(root)
    for page in pdf.pages:
        if "/Annots" in page.obj:
            page.obj.Tabs = Name.S

    with pikepdf.open(io.BytesIO(overlay)) as stamps:
        _stamp(pdf, stamps)
    _merge_fonts(pdf)

    if "/Outlines" in pdf.Root:
        del pdf.Root.Outlines
    with pdf.open_outline() as outline:
        parent = None
        for bookmark in bookmarks:
            item = OutlineItem(bookmark.title, bookmark.page)
            if bookmark.level == 1 or parent is None:
                outline.root.append(item)
                parent = item
            else:
                parent.children.append(item)
    pdf.Root.PageMode = Name.UseOutlines
    _set_metadata(pdf, title=title, language=language, subject=subject)
    pages = len(pdf.pages)
    data = _save(pdf)
    for source in sources:
        source.close()
    pdf.close()
    return data, pages
