"""Pull harvesters: fetch a registered source's channels and ingest what they list.

A source's register record (graph ``ksg:register``) names its channels
(``ks:hasChannel`` → ``ks:IngestionChannel``: ``ks:channelType``, ``ks:accessURL``,
``ks:mediaType``, ``ks:schedule``). :func:`channels` reads the pull channels from the store;
:func:`harvest` runs them now (a scheduler, cron or the like, calls it per ``ks:schedule``):

* **atom / rss**: the feed at ``ks:accessURL``, following ``rel="next"`` links (RFC 5005
  paged feeds; in RSS as ``atom:link``) and HTTP ``Link: <…>; rel="next"`` headers.
* **json-api**: the response at ``ks:accessURL``, following the URL at the JSON pointer
  ``[paging] next`` of ``mappings/<source>/harvest.toml``, or a ``Link`` header.
* **sitemap**: the sitemap (or sitemap index) at ``ks:accessURL``, then every page it lists,
  each mapped with the source's mapping.
* **file-drop**: every file below ``<data_dir>/drop/<source>/``. The register never names a
  path: a ``file://`` URL would let a register entry read any file the service can, so the
  directory is fixed per source, and ``ks:accessURL`` only documents where the files come from.

Only http and https are fetched, only the channel's URL and what its documents list (next
pages, sitemap entries: on the channel's host), redirects only to http(s), with a timeout
(``harvest_timeout_s``) and a size limit (``max_body_bytes``) on every request
(:mod:`service.harvest.fetch`).

Each document is mapped with ``map_input(..., record_url=<url>)``; records that fail mapping
are skipped and reported. All items of one harvest go to ``ingest_batch`` as **one batch**,
stored whole or rejected whole, each with ``ks:wasDerivedFrom`` the document it came from.
Items an editor has withdrawn or superseded here are left as they are.

**Conditional requests**: the ``ETag``/``Last-Modified`` of each channel's entry document and
of each sitemap page are kept (:mod:`service.harvest.state`, ``<data_dir>/harvest-state.json``)
once what they describe is stored, and sent back as ``If-None-Match``/``If-Modified-Since``.
A 304 for a channel's entry means nothing is fetched and nothing written; a 304 for a sitemap
page means its items, as stored, are still there.

**Full crawls**: a sitemap, a JSON API and a file drop list all of a source's items, a feed
only its latest entries unless it declares itself complete (RFC 5005 ``<fh:complete/>``);
``full_crawl`` in ``harvest.toml`` overrides. After a complete full crawl (every document
read, every record's id known, the batch stored), current items (gallande, under-revidering)
of the source that the crawl did not list are archived (:mod:`service.harvest.archive`: one
more batch through ``ingest_batch``, lifecycle ``arkiverad``), never deleted. A crawl that
lists nothing archives nothing.

**Audit**: each stored batch (content, archiving) is an event in the audit trail
(:mod:`service.governance.audit`), associated with whoever started the harvest: the operator
at the command line, or the service's scheduler. As for a push, a batch that changes nothing or
is rejected is no event; the run log keeps it.

Nothing here knows the HTTP server side; the CLI and the API call :func:`harvest`.
"""

from service.harvest.archive import archive_items
from service.harvest.fetch import Fetched, Fetcher, FetchError, UrlFetcher
from service.harvest.harvester import (
    HarvestChannel,
    HarvestProblem,
    HarvestReport,
    channels,
    drop_dir,
    harvest,
)
from service.harvest.options import HarvestOptions, load_options
from service.harvest.state import HarvestState

__all__ = [
    "FetchError",
    "Fetched",
    "Fetcher",
    "HarvestChannel",
    "HarvestOptions",
    "HarvestProblem",
    "HarvestReport",
    "HarvestState",
    "UrlFetcher",
    "archive_items",
    "channels",
    "drop_dir",
    "harvest",
    "load_options",
]
