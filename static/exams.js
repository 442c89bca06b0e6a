// Examinations: the candidate's test (answers saved as given, kept in the tab until the server has them, one
// question at a time, the server's clock), the proctor's live table, the question editor's kind-specific fields.
// Every page works without this script: each question's own form saves it and goes on.
(function () {
  "use strict";
  var exam = document.getElementById("exam");
  if (!exam || !window.fetch) { return; }
  var attempt = exam.dataset.attempt;
  var token = exam.dataset.token;
  var seq = Number(exam.dataset.seq) || 0;
  var storeKey = "exam-pending-" + attempt;
  var status = document.getElementById("exam-save-status");
  var timer = document.getElementById("exam-timer");
  var stopped = false;
  var inFlight = {};
  var retryDelay = 1000;
  var pending = {};
  try { pending = JSON.parse(window.sessionStorage.getItem(storeKey) || "{}"); } catch (e) { pending = {}; }

  function persist() {
    try { window.sessionStorage.setItem(storeKey, JSON.stringify(pending)); } catch (e) { /* private mode */ }
  }
  function say(text) { if (status) { status.textContent = text; } }

  function section(position) { return document.getElementById("q" + position); }
  function responseOf(sec) {
    var kind = sec.dataset.kind;
    var form = sec.querySelector("form");
    if (kind === "single" || kind === "true_false") {
      var checked = form.querySelector("input[name=response]:checked");
      return checked ? checked.value : null;
    }
    if (kind === "multiple") {
      return Array.prototype.map.call(form.querySelectorAll("input[name=response]:checked"), function (box) {
        return box.value;
      });
    }
    if (kind === "matching") {
      var pairs = {};
      form.querySelectorAll("select").forEach(function (select) {
        if (select.value) { pairs[select.name.split("|")[1]] = select.value; }
      });
      return pairs;
    }
    return form.querySelector("input[name=response]").value;
  }
  function apply(sec, entry) {
    var form = sec.querySelector("form");
    var kind = sec.dataset.kind;
    var value = entry.response;
    if (kind === "matching") {
      form.querySelectorAll("select").forEach(function (select) {
        select.value = (value && value[select.name.split("|")[1]]) || "";
      });
    } else if (kind === "numeric" || kind === "short_text") {
      form.querySelector("input[name=response]").value = value || "";
    } else {
      form.querySelectorAll("input[name=response]").forEach(function (box) {
        box.checked = Array.isArray(value) ? value.indexOf(box.value) >= 0 : box.value === value;
      });
    }
    form.querySelector("input[name=flagged]").checked = !!entry.flagged;
  }
  function answered(value) {
    if (value === null || value === undefined || value === "") { return false; }
    if (Array.isArray(value)) { return value.length > 0; }
    if (typeof value === "object") { return Object.keys(value).length > 0; }
    return true;
  }
  function markMap(position, entry) {
    var link = document.querySelector(".exam-map a[data-position='" + position + "']");
    if (!link) { return; }
    link.classList.toggle("answered", answered(entry.response));
    link.classList.toggle("flagged", !!entry.flagged);
  }

  function record(position) {
    if (stopped) { return; }
    var sec = section(position);
    seq += 1;
    var entry = {position: Number(position), response: responseOf(sec),
                 flagged: sec.querySelector("input[name=flagged]").checked, seq: seq};
    pending[position] = entry;
    persist();
    markMap(position, entry);
    flush();
  }

  function send(entry) {
    inFlight[entry.position] = entry.seq;
    say(exam.dataset.msgSaving);
    return fetch(exam.dataset.saveUrl, {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": exam.dataset.csrf},
      body: JSON.stringify({token: token, position: entry.position, response: entry.response,
                            flagged: entry.flagged, seq: entry.seq})
    }).then(function (response) {
      return response.json().then(function (body) { return {status: response.status, body: body}; });
    }).then(function (result) {
      delete inFlight[entry.position];
      if (result.status === 200 || result.status === 400) {
        if (pending[entry.position] && pending[entry.position].seq <= entry.seq) { delete pending[entry.position]; }
        persist();
        if (result.status === 200) { sync(result.body.remaining); }
        retryDelay = 1000;
        if (!Object.keys(pending).length) { say(exam.dataset.msgSaved); }
        return;
      }
      if (result.status === 409 && result.body.error === "other_window") {
        stopped = true;
        say(exam.dataset.msgOther);
        exam.classList.add("exam-stopped");
        return;
      }
      if (result.status === 409 && result.body.finished) {
        stopped = true;
        window.sessionStorage.removeItem(storeKey);
        window.location.href = result.body.finished;
        return;
      }
      throw new Error("HTTP " + result.status);
    }).catch(function () {
      delete inFlight[entry.position];
      say(exam.dataset.msgOffline);
      window.setTimeout(flush, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 10000);
    });
  }
  function flush() {
    if (stopped) { return Promise.resolve(); }
    var sends = Object.keys(pending).map(function (position) { return pending[position]; })
      .filter(function (entry) { return inFlight[entry.position] !== entry.seq; })
      .sort(function (a, b) { return a.seq - b.seq; })
      .map(send);
    return Promise.all(sends);
  }

  // The server's clock: the page counts down from what the server said, and asks again now and then.
  var deadline = performance.now() + Number(exam.dataset.remaining) * 1000;
  function sync(remaining) { if (typeof remaining === "number") { deadline = performance.now() + remaining * 1000; } }
  function askServer() {
    return fetch(exam.dataset.stateUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (body.status !== "in_progress") {
          window.sessionStorage.removeItem(storeKey);
          window.location.href = body.finished;
          return;
        }
        sync(body.remaining);
      }).catch(function () { /* asked again shortly */ });
  }
  var asking = false;
  function tick() {
    var left = Math.max(0, Math.round((deadline - performance.now()) / 1000));
    timer.textContent = Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2);
    exam.classList.toggle("exam-hurry", left < 300);
    if (left === 0 && !asking) {
      asking = true;
      flush().then(askServer).then(function () { window.setTimeout(function () { asking = false; }, 3000); });
    }
  }
  window.setInterval(tick, 1000);
  window.setInterval(askServer, 30000);
  window.addEventListener("online", flush);

  // One question at a time: the map and the buttons switch without a request (the answers are already saved).
  function show(position) {
    var target = section(position);
    if (!target) { return; }
    document.querySelectorAll(".exam-question").forEach(function (sec) { sec.hidden = sec !== target; });
    document.querySelectorAll(".exam-map a").forEach(function (link) {
      var current = link.dataset.position === String(position);
      link.classList.toggle("current", current);
      if (current) { link.setAttribute("aria-current", "step"); } else { link.removeAttribute("aria-current"); }
    });
    window.history.replaceState(null, "", "?q=" + position);
    var legend = target.querySelector("legend");
    legend.setAttribute("tabindex", "-1");
    legend.focus();
  }
  document.querySelectorAll(".exam-map a").forEach(function (link) {
    link.addEventListener("click", function (event) { event.preventDefault(); show(link.dataset.position); });
  });
  document.querySelectorAll(".exam-question").forEach(function (sec) {
    var form = sec.querySelector("form");
    var typing = null;
    form.addEventListener("change", function () { window.clearTimeout(typing); record(sec.dataset.position); });
    form.addEventListener("input", function (event) {
      if (event.target.type !== "text") { return; }
      window.clearTimeout(typing);
      typing = window.setTimeout(function () { record(sec.dataset.position); }, 600);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      event.stopPropagation();
      var button = event.submitter;
      if (button && button.dataset.go) { show(button.dataset.go); }
    });
  });
  var finish = document.querySelector(".exam-finish");
  finish.addEventListener("submit", function (event) {
    if (!Object.keys(pending).length || stopped) { window.sessionStorage.removeItem(storeKey); return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    flush().then(function () { finish.requestSubmit(); });
  });

  // Back after a closed tab or a lost connection: what the server has not confirmed yet is shown and sent again.
  Object.keys(pending).forEach(function (position) {
    var entry = pending[position];
    seq = Math.max(seq, entry.seq);
    if (section(position)) { apply(section(position), entry); markMap(position, entry); }
  });
  flush();
  tick();
})();

// The proctor's table: progress and time left refresh every five seconds; the clocks count down in between.
(function () {
  "use strict";
  var table = document.getElementById("proctor-table");
  if (!table || !window.fetch) { return; }
  var known = table.querySelectorAll("tbody tr[data-booking]").length;
  function fmt(seconds) { return Math.floor(seconds / 60) + ":" + ("0" + (seconds % 60)).slice(-2); }
  function poll() {
    fetch(table.dataset.statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var busy = document.querySelector("details[open]") || document.activeElement.tagName === "INPUT";
        var changed = data.rows.length !== known || data.rows.some(function (row) {
          var tr = table.querySelector("tr[data-booking='" + row.booking_id + "']");
          return !tr || tr.dataset.attempt !== String(row.attempt_id || "") ||
            (row.admitted && !tr.querySelector(".admission").textContent.trim().length);
        });
        if (changed && !busy) { window.location.reload(); return; }
        data.rows.forEach(function (row) {
          var tr = table.querySelector("tr[data-booking='" + row.booking_id + "']");
          if (!tr) { return; }
          var answered = tr.querySelector(".answered");
          if (answered) { answered.textContent = row.answered; }
          var cell = tr.querySelector(".remaining");
          if (row.remaining !== null) { cell.dataset.seconds = row.remaining; } else { delete cell.dataset.seconds; }
        });
      })
      .catch(function () { /* the next turn */ });
  }
  window.setInterval(function () {
    table.querySelectorAll(".remaining[data-seconds]").forEach(function (cell) {
      var seconds = Math.max(0, Number(cell.dataset.seconds) - 1);
      cell.dataset.seconds = seconds;
      if (cell.firstChild) { cell.firstChild.textContent = fmt(seconds); }
    });
  }, 1000);
  window.setInterval(poll, 5000);
})();

// The question editor shows the fields of the chosen kind only.
(function () {
  "use strict";
  var form = document.querySelector(".question-form");
  if (!form) { return; }
  var select = form.querySelector("select[name=kind]");
  var groups = {single: "kind-choice", multiple: "kind-choice", true_false: "kind-true_false", numeric: "kind-numeric",
                matching: "kind-matching", short_text: "kind-short_text"};
  function update() {
    var kind = select ? select.value : form.dataset.kind;
    form.querySelectorAll(".kind-fields").forEach(function (box) { box.hidden = !box.classList.contains(groups[kind]); });
  }
  if (select) { select.addEventListener("change", update); }
  update();
})();
