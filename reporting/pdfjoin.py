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

``normalise`` repairs a piece's structure once, when it is rendered (kept parts are stored normalised, so
joining repairs nothing); ``finish`` does the catalog and structure repairs for a single document (a
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


# Elements that only group marked content and say nothing of it: WeasyPrint wraps every run of inline text
# in a Span (two in three elements of a report). Their content is given to their parent instead.
_PLAIN_WRAPPERS = (Name.Span, Name.NonStruct)
# Parents that may hold marked content themselves (never a list, a table or a row).
_CONTENT_HOLDERS = frozenset(
    "/P /H /H1 /H2 /H3 /H4 /H5 /H6 /TD /TH /LBody /Lbl /Caption /Link /Span /Quote /Note /Code".split()
)


def _plain_content(kid) -> list | None:
    """The marked-content ids of a Span or NonStruct that carries nothing but them (no attributes, no
    page of its own, no alternative or actual text), else None."""
    if not isinstance(kid, Dictionary) or kid.get("/S") not in _PLAIN_WRAPPERS:
        return None
    if any(key not in ("/S", "/P", "/K", "/Type") for key in kid.keys()):
        return None
    content = _kids(kid)
    if content and all(isinstance(item, int) for item in content):
        return content
    return None


def _repair_structure(root) -> None:
    """Structure WeasyPrint gets wrong, put right so that the tree says what the page shows, and what
    the elements repeat left out (in one walk over the tree, which has hundreds of elements a page):

    - a list (L) holds list items only: the groups between them (``<dl>`` with a ``<div>`` around each
      term and description comes out as L > Div > LI) are lifted out;
    - a row group (THead, TBody, TFoot) holds rows only: row groups nested in one (a table continued
      on the next page) are lifted out, empty ones dropped;
    - /Type (optional) and a /Pg naming the same page as the parent's (marked content inherits the
      page of the nearest element that names one) are left out;
    - a Span or NonStruct that only wraps marked content of its parent's page (no attributes) gives
      that content to a parent that may hold it (a paragraph, heading, cell...): the same reading order
      and the same text, a third of the elements, and the parent tree names the parent for that
      content. It made the structure tree the largest thing in the alliance-wide report.
    """
    lifted: dict[tuple[int, int], Dictionary] = {}
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
            page = None
        inherited = page if page is not None else inherited
        if str(kind) in _CONTENT_HOLDERS:
            flat, changed = [], False
            for kid in kids:
                if isinstance(kid, Dictionary) and "/Pg" in kid and inherited is not None:
                    if kid.Pg.objgen == inherited.objgen:
                        del kid.Pg  # (before asking whether it is plain: the child is walked later)
                content = _plain_content(kid)
                if content is None:
                    flat.append(kid)
                    continue
                lifted[kid.objgen] = element
                flat += content
                changed = True
            if changed:
                kids = flat
                element.K = Array(kids)
        stack += [(kid, inherited) for kid in kids]
    if lifted and "/ParentTree" in root:
        _point_parent_tree(root, lifted)


def _point_parent_tree(root, lifted: dict[tuple[int, int], Dictionary]) -> None:
    """The parent tree names, for every marked content, its element: the parent of a lifted wrapper."""

    def final(element):
        while isinstance(element, Dictionary) and element.objgen in lifted:
            element = lifted[element.objgen]
        return element

    tree = NumberTree(root.ParentTree)
    for key, value in list(tree.items()):
        if isinstance(value, Array):
            if any(isinstance(item, Dictionary) and item.objgen in lifted for item in value):
                tree[key] = Array([final(item) for item in value])
        elif isinstance(value, Dictionary) and value.objgen in lifted:
            tree[key] = final(value)


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


def normalise(pdf_bytes: bytes) -> bytes:
    """One piece of a joined report with its structure repaired (see ``_repair_structure``): done once
    when a part is rendered, so that the kept part joins as it is and the joining repairs nothing."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        _repair_structure(pdf.Root.StructTreeRoot)
        for page in pdf.pages:
            if "/Annots" in page.obj:
                page.obj.Tabs = Name.S
        output = io.BytesIO()
        pdf.save(output, compress_streams=True, deterministic_id=True)
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

    The pieces come through ``normalise`` (their structure repaired); ``numbers`` has a page (its number)
    for every page of the whole, ``footer`` one page laid over all of them.
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
