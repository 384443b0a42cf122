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
   <pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
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


def _flatten_list_groups(root) -> None:
    """A list (L) holds list items only: lift the items out of the groups WeasyPrint puts between them
    (``<dl>`` with ``<div>`` around each term and description comes out as L > Div > LI)."""
    stack = _kids(root)
    while stack:
        element = stack.pop()
        if not isinstance(element, Dictionary) or "/S" not in element:
            continue
        kids = _kids(element)
        if element.S == Name.L and any(
            isinstance(kid, Dictionary) and kid.get("/S") == Name.Div for kid in kids
        ):
            flat = []
            for kid in kids:
                if isinstance(kid, Dictionary) and kid.get("/S") == Name.Div:
                    for grandchild in _kids(kid):
                        if isinstance(grandchild, Dictionary) and "/S" in grandchild:
                            grandchild.P = element
                        flat.append(grandchild)
                else:
                    flat.append(kid)
            element.K = Array(flat)
            kids = flat
        stack.extend(kids)


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
        _flatten_list_groups(pdf.Root.StructTreeRoot)
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


def _merge_font_programs(pdf: pikepdf.Pdf) -> None:
    """One embedded program per font: the pieces' subsets of a font merged glyph by glyph.

    WeasyPrint subsets with the glyph ids kept (fontTools retain_gids / HarfBuzz RETAIN_GIDS), so the
    subsets of one font differ only in which glyphs have outlines: the union serves every piece, and
    the font dictionaries keep their own widths and ToUnicode maps.
    """
    groups: dict[str, list] = {}
    seen = set()
    for page in pdf.pages:
        resources = page.obj.get("/Resources")
        fonts = resources.get("/Font") if resources is not None else None
        if fonts is None:
            continue
        for _name, font in fonts.items():
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get("/FontDescriptor")
                if descriptor is None or "/FontFile2" not in descriptor:
                    continue
                base = str(descriptor.FontName).lstrip("/").split("+", 1)[-1]
                groups.setdefault(base, []).append(descriptor)
    for descriptors in groups.values():
        programs = {descriptor.FontFile2.objgen: descriptor.FontFile2 for descriptor in descriptors}
        if len(programs) < 2:
            continue
        merged = _merged_program([stream.read_bytes() for stream in programs.values()])
        stream = pikepdf.Stream(pdf, zlib.compress(merged, 6))
        stream.Filter = Name.FlateDecode
        stream.Length1 = len(merged)
        shared = pdf.make_indirect(stream)
        for descriptor in descriptors:
            descriptor.FontFile2 = shared
            if "/CIDSet" in descriptor:
                del descriptor.CIDSet


def _merged_program(programs: list[bytes]) -> bytes:
    fonts = [TTFont(io.BytesIO(program), lazy=True) for program in programs]
    base = fonts[0]
    glyf, hmtx = base["glyf"], base["hmtx"]
    for other in fonts[1:]:
        other_glyf, other_hmtx = other["glyf"], other["hmtx"]
        for name in other.getGlyphOrder():
            glyph = other_glyf.glyphs.get(name)
            data = getattr(glyph, "data", None)
            if data and not getattr(glyf.glyphs.get(name), "data", None):
                glyf.glyphs[name] = glyph
            if hmtx[name][0] == 0 and other_hmtx[name][0] != 0:
                hmtx[name] = other_hmtx[name]
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
    _flatten_list_groups(root)
    for page in pdf.pages:
        if "/Annots" in page.obj:
            page.obj.Tabs = Name.S

    with pikepdf.open(io.BytesIO(overlay)) as stamps:
        _stamp(pdf, stamps)
    _merge_font_programs(pdf)

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
