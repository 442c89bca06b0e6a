// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // With the script, the confirmation tick box gives way to a dialog (ticked when the person says yes).
  document.querySelectorAll(".confirm-box input[type=checkbox]").forEach(function (box) { box.required = false; });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    if (form.dataset.submitted === "1") {
      // a submit button is disabled after the first click, so a double click sends one request
      event.preventDefault();
      return;
    }
    var question = (button && button.dataset.confirm) || form.dataset.confirm;
    if (question) {
      // the browser's own dialog: modal, read out by screen readers, answered by keyboard
      if (!window.confirm(question)) {
        event.preventDefault();
        return;
      }
      var tick = form.querySelector(".confirm-box input[type=checkbox]");
      if (tick) { tick.checked = true; }
    }
    form.dataset.submitted = "1";
    if (button && button.name) {
      // keep the pressed button's value, which a disabled button would not send
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = button.name;
      hidden.value = button.value;
      form.appendChild(hidden);
    }
    if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
  });
  // A file over the limit is refused before it is sent, with the message the page carries.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type !== "file" || !input.dataset.maxBytes) { return; }
    var file = input.files && input.files[0];
    var note = input.parentNode.querySelector(".client-error");
    if (note) { note.remove(); }
    if (file && file.size > Number(input.dataset.maxBytes)) {
      var message = document.createElement("p");
      message.className = "error client-error";
      message.textContent = input.dataset.tooLarge;
      input.parentNode.appendChild(message);
      input.value = "";
    }
  });
})();
// Judgement drafts save themselves a few seconds after the assessor stops typing.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form || !window.fetch) { return; }
  var status = document.getElementById("autosave-status");
  var timer = null;
  function save() {
    var data = new FormData(form);
    fetch(form.dataset.autosaveUrl, {method: "POST", body: data, headers: {"Accept": "application/json"},
                                     credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (body) { if (status) { status.textContent = body.message || ""; } })
      .catch(function () { /* the next change, or the buttons, save again */ });
  }
  function schedule() { window.clearTimeout(timer); timer = window.setTimeout(save, 2500); }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
})();
// Certificate rendering progress: polls the status until every certificate is ready or failed.
(function () {
  "use strict";
  var box = document.getElementById("render-progress");
  if (!box || !window.fetch) { return; }
  var labels = document.getElementById("render-labels").dataset;
  var bar = document.getElementById("render-bar");
  var summary = document.getElementById("render-summary");
  var list = document.getElementById("render-items");
  function poll() {
    fetch(box.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        bar.max = data.total || 1;
        bar.value = data.ready + data.failed;
        summary.textContent = labels.summary.replace("{ready}", data.ready).replace("{total}", data.total);
        list.textContent = "";
        data.items.forEach(function (item) {
          var li = document.createElement("li");
          li.dataset.status = item.render_status;
          var link = document.createElement("a");
          link.href = item.url;
          link.textContent = item.number + " — " + item.holder;
          li.appendChild(link);
          li.appendChild(document.createTextNode(": " + (labels[item.render_status === "ready" ? "ready" :
            item.render_status === "failed" ? "failed" : "pending"])));
          list.appendChild(li);
        });
        if (data.total && data.ready + data.failed >= data.total) {
          if (!data.failed) { summary.textContent = labels.done; }
          box.dataset.done = "1";
          return;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
  // "select all" on the issue page
})();
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (!all) { return; }
  all.addEventListener("change", function () {
    document.querySelectorAll("input[name=application]").forEach(function (box) { box.checked = all.checked; });
  });
})();
// A report's progress: polls its status until it is ready (then offers the download) or failed.
(function () {
  "use strict";
  var box = document.getElementById("report-progress");
  if (!box || !window.fetch || box.dataset.status === "ready" || box.dataset.status === "failed") { return; }
  var labels = document.getElementById("report-labels").dataset;
  function poll() {
    fetch(box.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        document.getElementById("report-bar").value = data.progress;
        var state = document.getElementById("report-state");
        box.dataset.status = data.status;
        if (data.status === "ready") {
          state.textContent = "";
          var link = document.createElement("a");
          link.className = "button"; link.id = "report-download"; link.href = data.download;
          link.textContent = labels.download;
          state.appendChild(link);
          return;
        }
        if (data.status === "failed") { state.textContent = labels.failed + " " + (data.error || ""); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
})();

// The dashboard: asks every 15 seconds (5 while the workers recompute) whether fresher figures exist and, if so,
// swaps them in. A failed request only waits for the next turn.
(function () {
  var status = document.getElementById("dashboard-status");
  var figures = document.getElementById("dashboard-figures");
  if (!status || !figures) { return; }
  var computedAt = status.dataset.computedAt;
  var refreshing = status.dataset.refreshing === "true";
  function poll() {
    fetch(status.dataset.liveUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (data) {
        if (data.computed_at !== computedAt) {
          computedAt = data.computed_at;
          figures.innerHTML = data.html;
          document.getElementById("dashboard-computed").textContent = data.computed_label;
          status.dataset.computedAt = computedAt;
        }
        refreshing = data.refreshing;
        document.getElementById("dashboard-refreshing").hidden = !refreshing;
      })
      .catch(function () { /* try again at the next turn */ })
      .then(function () { window.setTimeout(poll, refreshing ? 5000 : 15000); });
  }
  window.setTimeout(poll, refreshing ? 5000 : 15000);
})();
// The header's menu on a phone: the button opens and closes it (without the script the link opens it as its target).
(function () {
  "use strict";
  var toggle = document.querySelector(".menu-toggle");
  var header = document.querySelector(".site-header");
  if (!toggle || !header) { return; }
  toggle.setAttribute("role", "button");
  toggle.addEventListener("click", function (event) {
    event.preventDefault();
    var open = header.classList.toggle("menu-open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
// A table wider than its box scrolls inside it; the box takes the keyboard focus so it can be scrolled without a mouse.
(function () {
  "use strict";
  function mark() {
    document.querySelectorAll("table.data, .table-scroll").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1 && getComputedStyle(box).overflowX !== "visible";
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.dataset.scrollFocus = "1";
      } else if (!scrolls && box.dataset.scrollFocus === "1") {
        box.removeAttribute("tabindex");
        delete box.dataset.scrollFocus;
      }
    });
  }
  mark();
  window.addEventListener("resize", mark);
})();
// An open drop-down of the header (more links, the account) closes on a click elsewhere or on Escape.
(function () {
  "use strict";
  function closeAll(except) {
    document.querySelectorAll(".site-header details[open]").forEach(function (box) {
      if (box !== except) { box.removeAttribute("open"); }
    });
  }
  document.addEventListener("click", function (event) { closeAll(event.target.closest(".site-header details")); });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") { closeAll(null); } });
})();
// A refused form comes back on the page it was sent from: what the person typed is put back into that form.
(function () {
  "use strict";
  var data = document.getElementById("kept-input");
  if (!data) { return; }
  var kept;
  try { kept = JSON.parse(data.textContent); } catch (error) { return; }
  if (!kept || !kept.fields) { return; }
  var form = Array.prototype.find.call(document.forms, function (candidate) {
    return candidate.method === "post" && new URL(candidate.action, window.location.href).pathname === kept.action;
  });
  if (!form) { return; }
  Object.keys(kept.fields).forEach(function (name) {
    var values = kept.fields[name];
    var controls = form.querySelectorAll("[name='" + name.replace(/'/g, "\\'") + "']");
    controls.forEach(function (control, index) {
      if (control.type === "hidden" || control.type === "file" || control.type === "submit") { return; }
      if (control.type === "checkbox" || control.type === "radio") {
        control.checked = values.indexOf(control.value) !== -1;
      } else if (control.tagName === "SELECT" && control.multiple) {
        Array.prototype.forEach.call(control.options, function (option) {
          option.selected = values.indexOf(option.value) !== -1;
        });
      } else if (values[index] !== undefined) {
        control.value = values[index];
      }
    });
  });
  var details = form.closest("details");
  if (details) { details.open = true; }
})();
