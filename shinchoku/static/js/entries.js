/*
 * The entries of a request in one form (workflow/_entries_editor.html, issue 10).
 *
 * - Ctrl+Enter (Cmd+Enter on a Mac) in a field submits that field's form: in an entry's
 *   box, 「まとめて保存」.
 * - Only the changed boxes are sent: the others are disabled for the moment of the submit.
 * - Autosave: a changed box is kept on the server as the person's draft a few seconds
 *   after the last key, when it loses the focus, and when the page is left.
 * - When htmx replaces a row (add, move, delete), what was typed in its boxes stays.
 *
 * Progressive: without this file the form still saves (every box; the server skips the
 * unchanged ones). No inline script: the Content-Security-Policy allows our files only.
 */
(function () {
  "use strict";

  var FORM_ID = "entries-form";
  var DELAY = 3000;
  var timer = null;
  var drafted = {}; // box id -> the text last kept as a draft

  function form() {
    return document.getElementById(FORM_ID);
  }

  function boxes() {
    var found = form();
    if (!found) return [];
    return Array.prototype.filter.call(found.elements, function (el) {
      return el.tagName === "TEXTAREA" && el.name.indexOf("text-") === 0;
    });
  }

  function isBox(el) {
    return el && el.tagName === "TEXTAREA" && el.getAttribute("form") === FORM_ID;
  }

  function changed(box) {
    return box.value !== box.defaultValue || box.hasAttribute("data-unsaved");
  }

  function versionOf(box) {
    var f = form();
    return f ? f.elements.namedItem("version-" + box.name.slice(5)) : null;
  }

  // --- Ctrl+Enter ---------------------------------------------------------------------
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    var target = event.target;
    var owner = target && target.form;
    if (!owner || target.tagName === "BUTTON") return;
    event.preventDefault();
    // No draft now: the save itself keeps the text (a draft sent alongside would race it).
    if (typeof owner.requestSubmit === "function") owner.requestSubmit();
    else owner.submit();
  });

  // --- send the changed boxes only ----------------------------------------------------
  document.addEventListener(
    "submit",
    function (event) {
      if (event.target !== form() || event.submitter && event.submitter.hasAttribute("formaction")) return;
      clearTimeout(timer);
      // What is being saved needs no draft: mark it kept, so nothing races the save.
      boxes().forEach(function (box) {
        drafted[box.id] = box.value;
      });
      var off = [];
      boxes().forEach(function (box) {
        if (changed(box)) return;
        var version = versionOf(box);
        [box, version].forEach(function (el) {
          if (el && !el.disabled) {
            el.disabled = true;
            off.push(el);
          }
        });
      });
      // The browser (or htmx) has read the fields once the submit event is over.
      setTimeout(function () {
        off.forEach(function (el) {
          el.disabled = false;
        });
      }, 0);
    },
    true
  );

  // --- autosave of drafts -------------------------------------------------------------
  function pending() {
    return boxes().filter(function (box) {
      var last = Object.prototype.hasOwnProperty.call(drafted, box.id) ? drafted[box.id] : box.defaultValue;
      return box.value !== last;
    });
  }

  function keepDrafts(leaving) {
    clearTimeout(timer);
    var f = form();
    var todo = pending();
    if (!f || !todo.length || !f.dataset.draftUrl) return;
    var data = new FormData();
    var token = f.elements.namedItem("csrfmiddlewaretoken");
    if (token) data.append("csrfmiddlewaretoken", token.value);
    todo.forEach(function (box) {
      data.append(box.name, box.value);
      var version = versionOf(box);
      if (version) data.append(version.name, version.value);
      drafted[box.id] = box.value;
    });
    if (leaving && navigator.sendBeacon) {
      navigator.sendBeacon(f.dataset.draftUrl, data);
      return;
    }
    fetch(f.dataset.draftUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        var status = document.getElementById("draft-status");
        if (answer && status) status.textContent = answer.message;
        if (answer && answer.kept) {
          answer.kept.forEach(function (pk) {
            var box = document.getElementById("entry-text-" + pk);
            if (box) box.setAttribute("data-unsaved", "");
          });
        }
      })
      .catch(function () {
        todo.forEach(function (box) {
          delete drafted[box.id]; // tried again at the next change
        });
      });
  }

  document.addEventListener("input", function (event) {
    if (!isBox(event.target)) return;
    clearTimeout(timer);
    timer = setTimeout(function () {
      keepDrafts(false);
    }, DELAY);
  });

  document.addEventListener("focusout", function (event) {
    // Leaving a box for the form's save button: the save keeps the text, not a draft.
    var next = event.relatedTarget;
    if (next && next.type === "submit" && (next.form === form() || next.getAttribute("form") === FORM_ID)) return;
    if (isBox(event.target)) keepDrafts(false);
  });

  window.addEventListener("pagehide", function () {
    keepDrafts(true);
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") keepDrafts(true);
  });

  // --- htmx: keep what was typed when a row is replaced; forget drafts once saved ----
  var typed = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    typed = null;
    if (!target || !target.classList || !target.classList.contains("initiative-row")) {
      if (target && target.id === "entries") drafted = {};
      return;
    }
    typed = {};
    target.querySelectorAll("textarea[form='" + FORM_ID + "']").forEach(function (box) {
      if (box.value !== box.defaultValue) typed[box.id] = box.value;
    });
  });
  document.addEventListener("htmx:afterSwap", function () {
    if (!typed) return;
    Object.keys(typed).forEach(function (id) {
      var box = document.getElementById(id);
      if (box) box.value = typed[id];
    });
    typed = null;
  });
})();
