"""The web interface staff use: server-rendered pages over the same functions as the JSON API.

``state`` keeps a search page's whole state in its URL, ``views`` builds each page's model from
the search, item, related-content and concept services, ``render`` turns it into HTML with the
templates in ``templates/``; ``static/`` holds the one stylesheet and the small script that adds
suggestions as you type. Nothing here knows HTTP: ``service.api.routes.pages`` does.
"""
