// paperlinks report page: every table sorts by any column, the
// repositories filter by health and forge, one search box filters the
// failing links, repositories and papers (a paper matches on its links
// and repositories too). No network, no external code. `#selftest` in the
// URL runs a self-test that clicks the controls and writes the outcome
// into #selftest (scripts/check-html.sh reads it in headless Chromium).
(function () {
  "use strict";
  var errors = [];
  window.addEventListener("error", function (e) { errors.push(String(e.message)); });
  var each = function (list, f) { Array.prototype.forEach.call(list, f); };
  var tables = ["failing", "repos", "papers"].map(function (id) {
    return document.getElementById(id);
  }).filter(Boolean);
  var repos = document.getElementById("repos");
  var healthSel = document.getElementById("f-health");
  var forgeSel = document.getElementById("f-forge");
  var search = document.getElementById("q");
  var qCount = document.getElementById("q-count");
  var rank = {};
  if (healthSel) {
    each(healthSel.options, function (o) {
      if (o.value) { rank[o.value] = Number(o.getAttribute("data-rank")); }
    });
  }

  function headCells(table) { return table.tHead.rows[0].cells; }
  function colOf(table, name) {
    var ths = headCells(table);
    for (var i = 0; i < ths.length; i++) {
      if (ths[i].getAttribute("data-col") === name) { return i; }
    }
    return -1;
  }
  // A cell's own text: a paper's title without its unfolded links.
  function cellText(row, i) {
    var c = row.cells[i];
    if (!c) { return ""; }
    var s = c.querySelector("summary");
    return (s || c).textContent.trim();
  }
  // The sort key of a cell by its column's data-type.
  function key(row, i, type) {
    var t = cellText(row, i);
    if (type === "num") {
      if (t === "") { return -Infinity; }
      var n = Number(t.replace(/[,+]/g, ""));
      return isNaN(n) ? -Infinity : n;
    }
    if (type === "health") { return t in rank ? rank[t] : (t === "" ? 99 : 50); }
    if (type === "loc") {
      // file:line[:column]: the file, then the line as a number.
      var m = /^(.*?):(\d+)(?::\d+)?$/.exec(t);
      return m ? m[1].toLowerCase() + "\u0000" + ("0000000000" + m[2]).slice(-10) : t.toLowerCase();
    }
    return t.toLowerCase();
  }
  function compare(x, y) { return x < y ? -1 : x > y ? 1 : 0; }
  function sortBy(table, i, dir) {
    var type = headCells(table)[i].getAttribute("data-type");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var keyed = rows.map(function (r, n) { return { r: r, k: key(r, i, type), n: n }; });
    keyed.sort(function (a, b) { return compare(a.k, b.k) * dir || a.n - b.n; });
    keyed.forEach(function (x) { body.appendChild(x.r); });
    each(headCells(table), function (th) { th.removeAttribute("aria-sort"); });
    headCells(table)[i].setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
  }
  // Numbers start with the largest, dates with the newest, health with
  // the best, words from A; a second click reverses.
  function firstDir(th) {
    var type = th.getAttribute("data-type");
    if (type === "num" || th.getAttribute("data-col") === "pushed") { return -1; }
    return 1;
  }
  tables.forEach(function (table) {
    each(headCells(table), function (th, i) {
      var b = th.querySelector("button");
      if (!b) { return; }
      b.addEventListener("click", function () {
        var first = firstDir(th);
        var cur = th.getAttribute("aria-sort");
        sortBy(table, i, cur === (first > 0 ? "ascending" : "descending") ? -first : first);
      });
    });
  });

  // A row is shown when it matches the search and (repositories) the filters.
  function matches(row, words) {
    if (!words.length) { return true; }
    var text = row.textContent.toLowerCase();
    return words.every(function (w) { return text.indexOf(w) >= 0; });
  }
  function passesFilters(table, row) {
    if (table !== repos || !healthSel) { return true; }
    var h = healthSel.value, f = forgeSel.value;
    return (!h || cellText(row, colOf(repos, "health")) === h) &&
           (!f || cellText(row, colOf(repos, "forge")) === f);
  }
  function apply() {
    var words = search ? search.value.toLowerCase().split(/\s+/).filter(Boolean) : [];
    var total = 0, shownAll = 0;
    tables.forEach(function (table) {
      var n = 0;
      each(table.tBodies[0].rows, function (r) {
        var ok = matches(r, words) && passesFilters(table, r);
        r.hidden = !ok;
        if (ok) { n++; }
      });
      total += table.tBodies[0].rows.length;
      shownAll += n;
      each(document.querySelectorAll('.shown[data-table="' + table.id + '"]'), function (s) {
        s.textContent = String(n);
      });
    });
    if (qCount) {
      qCount.textContent = words.length ? shownAll + " of " + total + " rows match" : "click a blue heading to sort";
    }
  }
  if (search) { search.addEventListener("input", apply); }
  if (healthSel) { healthSel.addEventListener("change", apply); }
  if (forgeSel) { forgeSel.addEventListener("change", apply); }

  function selftest() {
    var out = { checks: [], errors: errors, width: window.innerWidth };
    function check(name, ok, detail) { out.checks.push({ name: name, ok: !!ok, detail: detail }); }
    function keys(table, i) {
      var type = headCells(table)[i].getAttribute("data-type");
      return Array.prototype.map.call(table.tBodies[0].rows, function (r) { return key(r, i, type); });
    }
    function ordered(v, dir) {
      for (var i = 1; i < v.length; i++) { if (compare(v[i - 1], v[i]) * dir > 0) { return false; } }
      return true;
    }
    // Every column of every table, both ways.
    tables.forEach(function (table) {
      each(headCells(table), function (th, i) {
        var b = th.querySelector("button");
        check(table.id + " column " + i + " has a sort button", b, th.textContent);
        if (!b) { return; }
        var first = firstDir(th);
        b.click();
        check("sort " + table.id + " by " + th.textContent.trim(), ordered(keys(table, i), first), keys(table, i).slice(0, 3));
        b.click();
        check("sort " + table.id + " by " + th.textContent.trim() + " reversed", ordered(keys(table, i), -first), keys(table, i).slice(0, 3));
      });
    });
    if (healthSel) {
      each(healthSel.options, function (o) {
        if (!o.value) { return; }
        healthSel.value = o.value;
        healthSel.dispatchEvent(new Event("change"));
        var visible = Array.prototype.filter.call(repos.tBodies[0].rows, function (r) { return !r.hidden; });
        var hi = colOf(repos, "health");
        check("filter health=" + o.value,
          visible.length === Number(o.getAttribute("data-count")) &&
          visible.every(function (r) { return cellText(r, hi) === o.value; }) &&
          document.getElementById("repos-shown").textContent === String(visible.length),
          visible.length);
      });
      healthSel.value = "";
      each(forgeSel.options, function (o) {
        if (!o.value) { return; }
        forgeSel.value = o.value;
        forgeSel.dispatchEvent(new Event("change"));
        var visible = Array.prototype.filter.call(repos.tBodies[0].rows, function (r) { return !r.hidden; });
        check("filter forge=" + o.value, visible.length === Number(o.getAttribute("data-count")), visible.length);
      });
      forgeSel.value = "";
      apply();
    }
    searchChecks(check);
    detailChecks(check);
    var root = document.documentElement;
    check("no sideways scrolling at " + window.innerWidth + " px", root.scrollWidth <= root.clientWidth,
      root.scrollWidth + " > " + root.clientWidth);
    out.ok = errors.length === 0 && out.checks.every(function (c) { return c.ok; });
    var pre = document.getElementById("selftest");
    pre.hidden = false;
    pre.setAttribute("data-ok", String(out.ok));
    pre.textContent = JSON.stringify(out);
  }
  // Searching a link of a paper finds the paper (through its detail) and
  // the failing link; a repository's name finds its row; clearing shows all.
  function searchChecks(check) {
    if (!search) { return; }
    var probes = [];
    var link = document.querySelector("#papers ul.plinks a, #failing td:nth-child(3)");
    if (link) { probes.push(link.textContent.trim()); }
    var repo = repos && repos.tBodies[0].rows[0];
    if (repo) { probes.push(repo.cells[1].textContent.trim().split(" ")[0]); }
    probes.forEach(function (term) {
      search.value = term;
      search.dispatchEvent(new Event("input"));
      var w = term.toLowerCase(), shown = 0, right = true;
      tables.forEach(function (table) {
        var n = 0;
        each(table.tBodies[0].rows, function (r) {
          var has = r.textContent.toLowerCase().indexOf(w) >= 0;
          if (has === r.hidden) { right = false; }
          if (!r.hidden) { n++; }
        });
        shown += n;
        var counter = document.querySelector('.shown[data-table="' + table.id + '"]');
        if (counter && counter.textContent !== String(n)) { right = false; }
      });
      check("search " + JSON.stringify(term), right && shown > 0, shown);
    });
    search.value = "";
    search.dispatchEvent(new Event("input"));
    var hidden = document.querySelectorAll("table tbody tr[hidden]").length;
    check("search cleared", hidden === 0, hidden);
  }
  // A paper's detail lists its links, each with a role and a status.
  function detailChecks(check) {
    var papers = document.getElementById("papers");
    if (!papers || !papers.tBodies[0].rows.length) { return; }
    var d = papers.querySelector("details");
    d.open = true;
    var items = d.querySelectorAll("ul.plinks li .role");
    check("paper detail lists its links", items.length === Number(d.getAttribute("data-n")), items.length);
    var withStatus = Array.prototype.every.call(items, function (r) {
      return r.parentNode.querySelector('span[class^="s-"]');
    });
    check("each listed link has a status", withStatus, items.length);
  }
  if (location.hash === "#selftest") {
    try { selftest(); } catch (e) {
      var pre = document.getElementById("selftest");
      pre.hidden = false;
      pre.setAttribute("data-ok", "false");
      pre.textContent = "self-test threw: " + e;
    }
  }
})();
