"""HTML laid out as a tagged PDF by WeasyPrint, for pages that are self-contained."""

from __future__ import annotations


def render_pdf(html: str) -> bytes:
    """``html`` as tagged PDF bytes; the page may load no images, fonts or styles from anywhere."""
    # Imported here: WeasyPrint loads Pango and its stylesheets, which only PDF pages need.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        """Refuses every URL, so a PDF never reaches out to the network or the disk."""

        def fetch(self, url, headers=None):
            raise ValueError("PDF pages load no external resources")

    return HTML(string=html, url_fetcher=NoFetching()).write_pdf(pdf_tags=True)
