// Suggestions as you type: turns the plain search field into an ARIA 1.2 combobox with a
// listbox of concepts and titles from /api/suggest. Without this script the form still works.
(function () {
  "use strict";
  var form = document.querySelector("form[data-suggest]");
  if (!form || !window.fetch) return;
  var input = form.querySelector("input[name=q]");
  var list = document.getElementById("q-suggestions");
  var status = document.getElementById("suggest-status");
  var region = form.querySelector("select[name=region]");
  if (!input || !list) return;

  var endpoint = form.getAttribute("data-suggest");
  var options = [];
  var active = -1;
  var timer = null;
  var pending = null;
  var lastQuery = "";
  // Code systems: their notations (J45, R03AC02) help; other schemes' notations are slugs.
  var CODE_SYSTEMS = ["icd-10-se", "icd-10-who-en", "kva", "atc", "mesh", "tero"];

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);

  function kindLabel(kind) {
    return kind === "concept" ? "Begrepp" : "Innehåll";
  }

  // The label with the typed prefix marked, built from text nodes only (never innerHTML).
  function labelled(node, label, query) {
    var at = label.toLocaleLowerCase("sv").indexOf(query.toLocaleLowerCase("sv"));
    if (!query || at < 0) {
      node.appendChild(document.createTextNode(label));
      return;
    }
    node.appendChild(document.createTextNode(label.slice(0, at)));
    var mark = document.createElement("mark");
    mark.textContent = label.slice(at, at + query.length);
    node.appendChild(mark);
    node.appendChild(document.createTextNode(label.slice(at + query.length)));
  }

  function close() {
    list.hidden = true;
    list.textContent = "";
    options = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function setActive(index) {
    if (!options.length) return;
    active = (index + options.length) % options.length;
    options.forEach(function (o, i) {
      o.node.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    var node = options[active].node;
    input.setAttribute("aria-activedescendant", node.id);
    node.scrollIntoView({ block: "nearest" });
  }

  function choose(option) {
    var s = option.data;
    close();
    if (s.kind === "title") {
      var r = region && region.value ? "?region=" + encodeURIComponent(region.value) : "";
      window.location.href = "/innehall/" + encodeURIComponent(s.id).replace(/%3A/g, ":") + r;
      return;
    }
    input.value = s.label;
    form.submit();
  }

  function show(query, suggestions) {
    close();
    if (!suggestions.length) {
      status.textContent = "";
      return;
    }
    suggestions.forEach(function (s, i) {
      var li = document.createElement("li");
      li.id = "q-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var text = document.createElement("span");
      labelled(text, s.label, query);
      li.appendChild(text);
      if (s.notation && CODE_SYSTEMS.indexOf(s.scheme) >= 0) {
        var code = document.createElement("span");
        code.className = "code";
        code.textContent = s.notation;
        li.appendChild(code);
      }
      var kind = document.createElement("span");
      kind.className = "suggestion-kind";
      kind.textContent = kindLabel(s.kind);
      li.appendChild(kind);
      var option = { node: li, data: s };
      // mousedown, not click: the input must keep focus.
      li.addEventListener("mousedown", function (e) {
        e.preventDefault();
        choose(option);
      });
      list.appendChild(li);
      options.push(option);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    status.textContent =
      suggestions.length + (suggestions.length === 1 ? " förslag" : " förslag") +
      ". Välj med pil upp och pil ned, Enter för att gå dit.";
  }

  function fetchSuggestions() {
    var query = input.value.trim();
    if (query === lastQuery) return;
    lastQuery = query;
    if (pending) pending.abort();
    if (query.length < 2) {
      close();
      return;
    }
    pending = new AbortController();
    fetch(endpoint + "?limit=8&q=" + encodeURIComponent(query), {
      signal: pending.signal,
      headers: { Accept: "application/json" },
    })
      .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
      .then(function (body) {
        if (input.value.trim() === query) show(query, body.suggestions || []);
      })
      .catch(function () { /* aborted or offline: the plain search still works */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 120);
  });

  input.addEventListener("keydown", function (e) {
    var open = !list.hidden && options.length > 0;
    if (e.key === "ArrowDown") {
      if (open) setActive(active + 1);
      else { lastQuery = ""; fetchSuggestions(); }
      e.preventDefault();
    } else if (e.key === "ArrowUp" && open) {
      setActive(active - 1);
      e.preventDefault();
    } else if (e.key === "Enter" && open && active >= 0) {
      e.preventDefault();
      choose(options[active]);
    } else if (e.key === "Escape" && open) {
      e.preventDefault();
      close();
    } else if (e.key === "Tab") {
      close();
    }
  });

  input.addEventListener("blur", function () {
    setTimeout(close, 150);
  });
})();
