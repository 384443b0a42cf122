/* The data-entry grid, enhanced: each cell saves itself through the API (/api/v1/values/) with the
 * version it was loaded at, as the user leaves it. A conflict (409/412) is shown in the cell with the
 * other person's value, and the user chooses. An edit is never lost: unsaved cells stay in the page,
 * are tried again, and leaving the page with any of them asks first. Without this file the grid is a
 * plain form that posts the changed rows. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-grid]");
  if (!form || !window.fetch) { return; }
  var api = form.getAttribute("data-api");
  var period = parseInt(form.getAttribute("data-period"), 10);
  var dutch = form.getAttribute("data-lang") === "nl";
  var status = document.querySelector("[data-grid-status]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var pending = {};  // row id -> true while a row has edits not yet saved
  var retryTimer = null;
  var submitBox = form.getAttribute("data-text-choose");  // "Choose {code} ({country}) for submitting"

  function text(name) { return form.getAttribute("data-text-" + name) || ""; }

  function rowOf(element) { return element.closest("tr[data-row]"); }
  function versionInput(row) { return row.querySelector("input[name$='-expected_version']"); }
  function cell(row, name) { return row.querySelector("[data-cell='" + name + "']"); }

  function announce() {
    var count = Object.keys(pending).length;
    status.textContent = count ? count + " " + text("pending") : "";
  }

  function setState(row, state, message) {
    var box = row.querySelector("[data-cell-state]");
    row.classList.remove("grid-row--saving", "grid-row--saved", "grid-row--error", "grid-row--pending");
    if (state) { row.classList.add("grid-row--" + state); }
    if (box) { box.textContent = message || ""; }
  }

  // The cell's input as the API takes it (numbers with a decimal point; yes/no as true/false).
  function payload(row, fields) {
    var body = {};
    var type = row.getAttribute("data-type");
    if (fields.indexOf("value") >= 0) {
      var raw = cell(row, "value").value.trim();
      if (type === "boolean") {
        body.boolean_value = raw === "yes" ? true : (raw === "no" ? false : null);
      } else if (type === "text") {
        body.text_value = raw;
      } else {
        if (dutch) { raw = raw.replace(/\./g, "").replace(",", "."); }
        body.number_value = raw === "" ? null : raw.replace(/\s/g, "");
      }
    }
    if (fields.indexOf("note") >= 0) { body.note = cell(row, "note").value.trim(); }
    return body;
  }

  function request(row, body) {
    var id = row.getAttribute("data-id");
    var version = parseInt(versionInput(row).value || "0", 10);
    body.version = version;
    var url = api, method = "POST";
    if (id) {
      url = api + id + "/";
      method = "PATCH";
    } else {
      body.country = row.getAttribute("data-country");
      body.indicator = row.getAttribute("data-indicator");
      body.period = period;
    }
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    });
  }

  function dirtyFields(row) {
    return ["value", "note"].filter(function (name) {
      var input = cell(row, name);
      return input && input.getAttribute("data-dirty") === "1";
    });
  }

  function save(row) {
    var fields = dirtyFields(row);
    if (!fields.length || row.getAttribute("data-conflict") === "1") { return; }
    pending[row.id] = true;
    announce();
    setState(row, "saving", text("saving"));
    var sent = {};
    fields.forEach(function (name) { sent[name] = cell(row, name).value; });
    request(row, payload(row, fields)).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; },
                                   function () { return { status: response.status, data: {} }; });
    }).then(function (answer) {
      if (answer.status === 200 || answer.status === 201) {
        row.setAttribute("data-id", answer.data.id);
        versionInput(row).value = answer.data.version;
        choosable(row, answer.data);
        // Only what was sent is saved: a cell typed into meanwhile stays dirty.
        fields.forEach(function (name) {
          if (cell(row, name).value === sent[name]) { cell(row, name).removeAttribute("data-dirty"); }
        });
        if (!dirtyFields(row).length) { delete pending[row.id]; }
        setState(row, "saved", text("saved"));
      } else if (answer.status === 409 || answer.status === 412) {
        if (answer.data.current_version !== undefined) {
          showConflict(row, answer.data);
        } else {
          setState(row, "error", answer.data.message || text("invalid"));  // locked, closed: not retried
        }
      } else if (answer.status === 400) {
        var fieldsOf = answer.data.fields || {};
        var messages = [];
        Object.keys(fieldsOf).forEach(function (key) { messages = messages.concat(fieldsOf[key]); });
        setState(row, "error", text("invalid") + ": " + (messages.join(" ") || answer.data.message));
      } else {
        retryLater(row);
      }
      announce();
    }, function () { retryLater(row); announce(); });
  }

  // The row's box for "Submit chosen values" names the value at the version just saved (a box left at
  // the version the page was loaded at would make the user's own save look like someone else's); a row
  // saved for the first time gets its box.
  function choosable(row, saved) {
    var box = row.querySelector("input[type=checkbox][name=item]");
    var empty = saved.number_value === null && saved.boolean_value === null && !saved.text_value;
    if (!box && !empty && submitBox) {
      box = document.createElement("input");
      box.type = "checkbox";
      box.name = "item";
      box.setAttribute("form", "submit-form");
      box.setAttribute("aria-label", submitBox.replace("{code}", row.getAttribute("data-indicator"))
        .replace("{country}", row.getAttribute("data-country")));
      row.querySelector("td").appendChild(box);
    }
    if (box) { box.value = "value-" + saved.id + ":" + saved.version; }
  }

  function retryLater(row) {
    setState(row, "pending", text("failed"));
    if (!retryTimer) {
      retryTimer = window.setTimeout(function () {
        retryTimer = null;
        Object.keys(pending).forEach(function (id) { var r = document.getElementById(id); if (r) { save(r); } });
      }, 5000);
    }
  }

  // The other person's value, read back from the API, beside the user's own; the user chooses.
  function showConflict(row, data) {
    row.setAttribute("data-conflict", "1");
    setState(row, "error", "");
    var id = row.getAttribute("data-id");
    var headers = { credentials: "same-origin", headers: { "Accept": "application/json" } };
    // A row that was empty when the page was loaded has no id here: someone else created it meanwhile,
    // so it is looked up by country, indicator and period.
    var reading = id ? fetch(api + id + "/", headers).then(function (r) { return r.json(); })
      : fetch(api + "?country=" + encodeURIComponent(row.getAttribute("data-country")) +
              "&indicator=" + encodeURIComponent(row.getAttribute("data-indicator")) + "&period=" + period, headers)
        .then(function (r) { return r.json(); })
        .then(function (page) { return (page.results && page.results[0]) || null; });
    reading.then(function (current) {
      var box = document.createElement("div");
      box.className = "cell-conflict";
      box.setAttribute("role", "alert");
      var theirs = current ? current.number_value !== null && current.number_value !== undefined ? current.number_value
        : (current.boolean_value === true ? "yes" : current.boolean_value === false ? "no" : (current.text_value || ""))
        : "";
      if (current && current.number_value !== null && current.number_value !== undefined) {
        theirs = String(parseFloat(current.number_value));  // 12.5000 -> 12.5, as the cell shows it
        if (dutch) { theirs = theirs.replace(".", ","); }
      }
      var note = current ? current.note : "";
      var label = document.createElement("p");
      label.textContent = text("conflict") + " " + (theirs === "" ? "—" : theirs) + (note ? " (" + note + ")" : "");
      var keep = document.createElement("button");
      keep.type = "button";
      keep.className = "button button--small";
      keep.textContent = text("keep");
      var take = document.createElement("button");
      take.type = "button";
      take.className = "button button--small button--secondary";
      take.textContent = text("take");
      box.appendChild(label);
      box.appendChild(keep);
      box.appendChild(take);
      row.querySelector("[data-cell-box='value']").appendChild(box);
      keep.focus();
      function resolve(useMine) {
        versionInput(row).value = current ? current.version : data.current_version;
        if (current) { row.setAttribute("data-id", current.id); }
        row.removeAttribute("data-conflict");
        box.remove();
        if (useMine) {
          save(row);
        } else {
          var value = cell(row, "value");
          var typed = String(theirs);
          value.value = typed;
          cell(row, "note").value = note || "";
          ["value", "note"].forEach(function (name) { cell(row, name).removeAttribute("data-dirty"); });
          delete pending[row.id];
          setState(row, "saved", "");
          announce();
          value.focus();
        }
      }
      keep.addEventListener("click", function () { resolve(true); });
      take.addEventListener("click", function () { resolve(false); });
    });
  }

  form.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.hasAttribute("data-cell")) { return; }
    input.setAttribute("data-dirty", "1");
    var row = rowOf(input);
    pending[row.id] = true;
    setState(row, "pending", "");
    announce();
  });
  // Saved as the user leaves the cell (a select saves as it changes).
  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.hasAttribute("data-cell")) { input.setAttribute("data-dirty", "1"); save(rowOf(input)); }
  });

  // The arrow keys (and Enter in a one-line cell) move to the same cell of the row above or below.
  form.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.hasAttribute("data-cell") || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var down = event.key === "ArrowDown" || (event.key === "Enter" && !event.shiftKey);
    var up = event.key === "ArrowUp" || (event.key === "Enter" && event.shiftKey);
    if (input.tagName === "SELECT" && (event.key === "ArrowDown" || event.key === "ArrowUp")) { return; }
    if (!down && !up) { return; }
    var rows = Array.prototype.slice.call(form.querySelectorAll("tr[data-row]"));
    var name = input.getAttribute("data-cell");
    var index = rows.indexOf(rowOf(input));
    for (var i = index + (down ? 1 : -1); i >= 0 && i < rows.length; i += down ? 1 : -1) {
      var target = cell(rows[i], name);
      if (target) { event.preventDefault(); target.focus(); return; }
    }
  });

  // Saving the whole form posts every row: the cells already saved carry their new versions.
  form.addEventListener("submit", function () { pending = {}; });
  window.addEventListener("beforeunload", function (event) {
    if (Object.keys(pending).length) { event.preventDefault(); event.returnValue = ""; }
  });
})();
