"""Finishing the report PDFs with pikepdf: one accessible, archival, compact document from tagged pieces.

WeasyPrint writes each piece (a country report; the cover and contents, and every part of the
alliance-wide report) as a tagged PDF/A-3a. Joining pieces page by page would lose what makes them
accessible, so ``join_tagged`` builds the joined document itself:

- one structure tree: every piece's elements under one /Document, each page's marked-content numbers
  (/StructParents) and each annotation's /StructParent renumbered into one parent tree;
- one set of named destinations, so the links of the contents (made in the front piece) lead to the
  pages of the parts that hold their targets;
- the running footer (one form, shared by every page) and "Page n of N" (one overlay page each, kept
  per report length), rendered by WeasyPrint in the report's page box, stamped as artifacts;
- one copy of each font program: the pieces' subsets of a font (WeasyPrint keeps the glyph ids when it
  subsets) are merged at the byte level (glyf, loca, hmtx) into one subset that every piece's font
  dictionary shares;
- one XMP packet (title, language, PDF/A-3a and PDF/UA-1 identification), outlines, page labels off.

A piece's structure is repaired while WeasyPrint writes it (pdftags.py): kept parts are stored as
rendered, and joining repairs nothing. ``finish`` does the catalog and metadata for a single document (a
country report).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name, NameTree, NumberTree, OutlineItem

from . import pdffonts

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
    """One WeasyPrint PDF/A-3a (its structure repaired by pdftags.py) made a file that is also PDF/UA-1:
    the metadata, and a file identifier."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        _set_metadata(pdf, title=title, language=language, subject=subject)
        return _save(pdf)


# --- joining -----------------------------------------------------------------------------------------------


def _top_elements(root) -> list:
    return [kid for kid in _kids(root) if isinstance(kid, Dictionary)]


def _bulk_copy(pdf: pikepdf.Pdf, source: pikepdf.Pdf, values: list) -> list:
    """``values`` of ``source`` in ``pdf``, copied with one call (objects already copied, the pages and
    structure elements, are mapped to their copies, as with ``copy_foreign``)."""
    if not values:
        return []
    bundle = source.make_indirect(Array(values))
    return list(pdf.copy_foreign(bundle))


def _stamp(pdf: pikepdf.Pdf, numbers: pikepdf.Pdf, footer: pikepdf.Pdf) -> None:
    """Lay the footer (one form for every page) and each page's number over the pages of ``pdf``, as
    artifacts."""
    footer_form = pdf.copy_foreign(footer.pages[0].as_form_xobject())
    for page, stamp in zip(pdf.pages, numbers.pages, strict=True):
        number = page.add_resource(pdf.copy_foreign(stamp.as_form_xobject()), Name.XObject, prefix="Stamp")
        shared = page.add_resource(footer_form, Name.XObject, prefix="Footer")
        page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
        page.contents_add(
            pdf.make_stream(
                b"\nQ\n/Artifact BMC q " + bytes(number) + b" Do Q q " + bytes(shared) + b" Do Q EMC\n"
            )
        )


def join_tagged(
    *,
    pieces: list[bytes],
    numbers: bytes,
    footer: bytes,
    bookmarks: list[Bookmark],
    title: str,
    language: str,
    subject: str = "",
) -> tuple[bytes, int]:
    """Join tagged pieces (the first one, the front, gives its catalog) into one tagged document.

    The pieces come from ``pdf.render_pdf`` (their structure repaired by pdftags.py); ``numbers`` has a
    page (its number) for every page of the whole, ``footer`` one page laid over all of them.
    """
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
        entries = list(NumberTree(source_root.ParentTree).items())
        highest = max((key for key, _value in entries), default=-1)
        # Copied in one go (one call into qpdf's copier rather than one a value: thousands a piece).
        for (key, _value), value in zip(
            entries, _bulk_copy(pdf, source, [v for _k, v in entries]), strict=True
        ):
            parent_tree[next_key + key] = value
        for page in pdf.pages[first_page:]:
            if "/StructParents" in page.obj:
                page.obj.StructParents = next_key + int(page.obj.StructParents)
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = next_key + int(annotation.StructParent)
        if "/Names" in source.Root and "/Dests" in source.Root.Names:
            named = list(NameTree(source.Root.Names.Dests).items())
            copied = _bulk_copy(pdf, source, [destination for _name, destination in named])
            destinations.update(zip((name for name, _d in named), copied, strict=True))
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
    with pikepdf.open(io.BytesIO(numbers)) as number_pages, pikepdf.open(io.BytesIO(footer)) as footer_page:
        _stamp(pdf, number_pages, footer_page)
    pdffonts.merge_fonts(pdf)

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
