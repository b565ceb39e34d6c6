// paperlinks report page: sorting and filtering of the repositories table.
// No network, no external code. `#selftest` in the URL runs a self-test
// that clicks the controls and writes the outcome into #selftest.
(function () {
  "use strict";
  var errors = [];
  window.addEventListener("error", function (e) { errors.push(String(e.message)); });
  var table = document.getElementById("repos");
  if (!table) { return; }
  var body = table.tBodies[0];
  var healthSel = document.getElementById("f-health");
  var forgeSel = document.getElementById("f-forge");
  var shown = document.getElementById("repos-shown");
  var rank = {};
  Array.prototype.forEach.call(healthSel.options, function (o) {
    if (o.value) { rank[o.value] = Number(o.getAttribute("data-rank")); }
  });
  function col(name) {
    var ths = table.tHead.rows[0].cells;
    for (var i = 0; i < ths.length; i++) {
      if (ths[i].getAttribute("data-col") === name) { return i; }
    }
    return -1;
  }
  function key(row, name, i) {
    var t = row.cells[i].textContent.trim();
    if (name === "stars") { return t === "" ? -1 : Number(t.replace(/,/g, "")); }
    if (name === "health") { return t in rank ? rank[t] : 99; }
    return t; // last push: ISO dates sort as text; empty first ascending
  }
  function sortBy(name, dir) {
    var i = col(name);
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, name, i), y = key(b, name, i);
      return (x < y ? -1 : x > y ? 1 : 0) * dir;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.removeAttribute("aria-sort");
    });
    table.tHead.rows[0].cells[i].setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
  }
  Array.prototype.forEach.call(table.querySelectorAll("th button"), function (b) {
    b.addEventListener("click", function () {
      var th = b.parentNode;
      var name = th.getAttribute("data-col");
      // Stars and last push start with the largest / newest, health with the best.
      var first = name === "health" ? 1 : -1;
      var cur = th.getAttribute("aria-sort");
      sortBy(name, cur === (first > 0 ? "ascending" : "descending") ? -first : first);
    });
  });
  function filter() {
    var h = healthSel.value, f = forgeSel.value, hi = col("health"), fi = col("forge"), n = 0;
    Array.prototype.forEach.call(body.rows, function (r) {
      var ok = (!h || r.cells[hi].textContent.trim() === h) &&
               (!f || r.cells[fi].textContent.trim() === f);
      r.hidden = !ok;
      if (ok) { n++; }
    });
    shown.textContent = String(n);
  }
  healthSel.addEventListener("change", filter);
  forgeSel.addEventListener("change", filter);

  function selftest() {
    var out = { checks: [], errors: errors };
    function check(name, ok, detail) { out.checks.push({ name: name, ok: !!ok, detail: detail }); }
    function click(name) { table.querySelector('th[data-col="' + name + '"] button').click(); }
    function keys(name) {
      var i = col(name);
      return Array.prototype.map.call(body.rows, function (r) { return key(r, name, i); });
    }
    function ordered(v, dir) {
      for (var i = 1; i < v.length; i++) { if ((v[i - 1] > v[i] ? 1 : v[i - 1] < v[i] ? -1 : 0) * dir > 0) { return false; } }
      return true;
    }
    click("stars");
    check("stars descending", ordered(keys("stars"), -1), keys("stars").slice(0, 5));
    click("stars");
    check("stars ascending", ordered(keys("stars"), 1), keys("stars").slice(0, 5));
    click("pushed");
    check("last push newest first", ordered(keys("pushed"), -1), keys("pushed").slice(0, 3));
    click("health");
    check("health best first", ordered(keys("health"), 1), keys("health").slice(0, 5));
    var total = body.rows.length;
    Array.prototype.forEach.call(healthSel.options, function (o) {
      if (!o.value) { return; }
      healthSel.value = o.value;
      healthSel.dispatchEvent(new Event("change"));
      var visible = Array.prototype.filter.call(body.rows, function (r) { return !r.hidden; });
      var hi = col("health");
      check("filter health=" + o.value,
        visible.length === Number(o.getAttribute("data-count")) &&
        visible.every(function (r) { return r.cells[hi].textContent.trim() === o.value; }) &&
        shown.textContent === String(visible.length),
        visible.length);
    });
    healthSel.value = "";
    Array.prototype.forEach.call(forgeSel.options, function (o) {
      if (!o.value) { return; }
      forgeSel.value = o.value;
      forgeSel.dispatchEvent(new Event("change"));
      var visible = Array.prototype.filter.call(body.rows, function (r) { return !r.hidden; });
      check("filter forge=" + o.value, visible.length === Number(o.getAttribute("data-count")), visible.length);
    });
    forgeSel.value = "";
    filter();
    check("filters cleared", shown.textContent === String(total), total);
    out.ok = errors.length === 0 && out.checks.every(function (c) { return c.ok; });
    var pre = document.getElementById("selftest");
    pre.hidden = false;
    pre.setAttribute("data-ok", String(out.ok));
    pre.textContent = JSON.stringify(out);
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
