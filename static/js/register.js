/* The class register, enhanced. Without this script every feature still works through the
   server: "Mark all unmarked present" posts the form and comes back filled, Enter in a field
   saves (the form's first, hidden button), and the reason field is shown whenever the
   register already holds marks.

   The keyboard grid (as SIMS users expect): the page opens on "Mark all unmarked present"
   (or on the first pupil); on a pupil's mark, typing a code sets it and moves to the next
   pupil (L and U move to the minutes instead), / or \ or . is the session's present mark,
   ↑ and ↓ move between pupils without changing a mark, Enter saves, Escape puts the
   pupil's mark back as the page opened it. Space or Alt+↓ opens the full list of codes.
   On touch, each pupil has a palette of the common codes beside the full list, and a tap on
   the pupil's name cycles their mark through the same codes (present, N, L). */
(function () {
  "use strict";
  var form = document.getElementById("register-form");
  if (!form) return;
  var rows = Array.prototype.slice.call(form.querySelectorAll("tr.register-row"));
  var counters = form.querySelectorAll("[data-unmarked-count]");
  var reasonBlock = form.querySelector("[data-reason-block]");
  var status = document.getElementById("register-status");
  var fill = form.querySelector("[data-fill-present]");
  var save = form.querySelector("[data-save]");
  var present = form.dataset.presentCode || "/";
  // A lesson register (templates/lessons/take.html) names its own codes: the palette's
  // "code:label|code:label" and the codes after which the reason is typed ("O": out of
  // the lesson, with the reason).
  var commentCodes = (form.dataset.commentCodes || "").split(" ").filter(Boolean);
  var paletteCodes = form.dataset.palette ?
    form.dataset.palette.split("|").map(function (pair) { return pair.split(":"); }) :
    [[present, "Present"], ["L", "Late"], ["N", "Absent, reason not yet known"]];
  var dirty = false;

  function selectOf(row) { return row.querySelector("select"); }
  function codeOf(row) { return selectOf(row).value; }
  function lateInput(row) { return row.querySelector("input[type=number]"); }
  function lateOf(row) {
    var input = lateInput(row);
    return input ? input.value.trim() : "";
  }

  function commentOf(row) {
    var input = row.querySelector(".comment-cell input[type=text]");
    return input ? input.value.trim() : (row.dataset.recordedComment || "");
  }

  function nameOf(row) {
    var name = row.querySelector(".pupil-name");
    return name ? name.textContent.trim() : "";
  }

  // Same test as the server's MarkLineForm.changes_recorded_mark: code, lateness or
  // comment differs from the recorded mark (a blank code leaves the mark as it is).
  function changesRecorded(row) {
    var recorded = row.dataset.recordedCode;
    return !!recorded && codeOf(row) !== "" && (codeOf(row) !== recorded ||
      lateOf(row) !== row.dataset.recordedLate ||
      commentOf(row) !== (row.dataset.recordedComment || "").trim());
  }

  function refresh() {
    var unmarked = 0;
    var changed = false;
    rows.forEach(function (row) {
      var code = codeOf(row);
      var blank = code === "";
      row.classList.toggle("unmarked", blank);
      var badge = row.querySelector("[data-no-mark]");
      if (badge) badge.hidden = !blank;
      if (blank) unmarked += 1;
      if (changesRecorded(row)) changed = true;
      row.querySelectorAll("[data-palette-code]").forEach(function (button) {
        button.setAttribute("aria-pressed", String(button.dataset.paletteCode === code));
      });
    });
    counters.forEach(function (counter) { counter.textContent = unmarked; });
    if (reasonBlock) {
      var input = reasonBlock.querySelector("input, textarea");
      reasonBlock.hidden = !(changed || input.value.trim() || reasonBlock.dataset.keep);
    }
  }

  // Pupils whose mark can be changed here (a mark set by the office is shown disabled).
  function editable() {
    return rows.filter(function (row) { return !selectOf(row).disabled; });
  }

  function move(row, step) {
    var list = editable();
    var next = list[list.indexOf(row) + step];
    if (next) selectOf(next).focus();
    return next;
  }

  function hasCode(row, code) {
    var select = selectOf(row);
    for (var i = 0; i < select.options.length; i += 1) {
      if (select.options[i].value === code) return true;
    }
    return false;
  }

  function codesOf(row) {
    return Array.prototype.map.call(selectOf(row).options, function (o) { return o.value; })
      .filter(Boolean);
  }

  function setCode(row, code) {
    var select = selectOf(row);
    if (select.value !== code) {
      select.value = code;
      dirty = true;
    }
    refresh();
    if (status) status.textContent = nameOf(row) + ": " + code;
  }

  function afterCode(row, code) {
    var late = lateInput(row);
    var comment = row.querySelector(".comment-cell input[type=text]");
    if ((code === "L" || code === "U") && late) {
      late.focus();
      late.select();
    } else if (commentCodes.indexOf(code) !== -1 && comment) {
      comment.focus();
    } else {
      move(row, 1);
    }
  }

  // Codes of two characters (C1, J1, Y1–Y7): a letter that starts a longer code waits a
  // moment for the next key.
  var pending = null;

  function finishPending() {
    if (!pending) return;
    var done = pending;
    pending = null;
    clearTimeout(done.timer);
    if (hasCode(done.row, done.buffer)) afterCode(done.row, done.buffer);
  }

  function typeKey(row, key) {
    var upper = key.toUpperCase();
    if (upper === "/" || upper === "\\" || upper === ".") upper = present;
    var buffer = (pending && pending.row === row ? pending.buffer : "") + upper;
    var all = codesOf(row);
    var exact = all.indexOf(buffer) !== -1;
    var longer = all.some(function (c) { return c.length > buffer.length && c.indexOf(buffer) === 0; });
    if (!exact && !longer) {
      if (pending && pending.row === row) {
        finishPending();
        return;
      }
      if (status) status.textContent = "No code " + key + " on this register. Space opens the list.";
      return;
    }
    if (pending) clearTimeout(pending.timer);
    pending = null;
    if (exact) setCode(row, buffer);
    if (longer) {
      pending = { row: row, buffer: buffer, timer: setTimeout(finishPending, 900) };
      return;
    }
    afterCode(row, buffer);
  }

  function submit() {
    finishPending();
    dirty = false;
    if (form.requestSubmit) form.requestSubmit(save || undefined);
    else form.submit();
  }

  form.addEventListener("keydown", function (event) {
    var target = event.target;
    var row = target.closest ? target.closest("tr.register-row") : null;
    if (event.key === "Enter" && target.tagName !== "BUTTON" && target.tagName !== "TEXTAREA") {
      event.preventDefault();
      submit();
      return;
    }
    if (!row || event.ctrlKey || event.metaKey) return;
    var isSelect = target.tagName === "SELECT";
    var isLate = target.type === "number";
    if ((isSelect || isLate) && !event.altKey &&
        (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      // Never change a mark silently: the arrows move between pupils.
      event.preventDefault();
      finishPending();
      move(row, event.key === "ArrowDown" ? 1 : -1);
      return;
    }
    if (isSelect && event.key === "Escape") {
      event.preventDefault();
      var select = selectOf(row);
      var initial = "";
      Array.prototype.forEach.call(select.options, function (o) { if (o.defaultSelected) initial = o.value; });
      select.value = initial;
      refresh();
      if (status) status.textContent = nameOf(row) + ": back to " + (initial || "no mark");
      return;
    }
    if (isSelect && !event.altKey && event.key.length === 1 && event.key !== " ") {
      event.preventDefault();
      typeKey(row, event.key);
    }
  });

  form.addEventListener("change", function () { dirty = true; refresh(); });
  form.addEventListener("input", function (event) {
    dirty = true;
    if (event.target.type === "number" || event.target.type === "text") refresh();
  });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });

  // The touch palette: the session's present mark, L and N, one tap each.
  editable().forEach(function (row) {
    var cell = row.querySelector(".code-cell");
    var palette = document.createElement("div");
    palette.className = "code-palette";
    palette.setAttribute("role", "group");
    palette.setAttribute("aria-label", "Common codes for " + nameOf(row));
    paletteCodes.forEach(function (pair) {
      if (!hasCode(row, pair[0])) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline-secondary palette-code";
      button.tabIndex = -1;  // keyboard users have the grid
      button.dataset.paletteCode = pair[0];
      button.textContent = pair[0];
      button.title = pair[1];
      button.setAttribute("aria-label", pair[1] + " (" + pair[0] + ")");
      button.addEventListener("click", function () {
        setCode(row, pair[0]);
        if (pair[0] === "L" && lateInput(row)) lateInput(row).focus();
      });
      palette.appendChild(button);
    });
    cell.insertBefore(palette, selectOf(row));
  });

  // A tap on a pupil's name: the next of the common codes (blank or another code → present
  // → N → L → present …), as touch registers do; the palette and the list still show it.
  editable().forEach(function (row) {
    var cell = row.querySelector(".pupil-cell");
    var cycle = [present, "N", "L"].filter(function (code) { return hasCode(row, code); });
    if (!cell || !cycle.length) return;
    cell.classList.add("tap-cycles");
    cell.addEventListener("click", function (event) {
      if (event.target.closest("a, button, input, select")) return;
      var next = cycle[(cycle.indexOf(codeOf(row)) + 1) % cycle.length];
      setCode(row, next);
    });
  });

  if (fill) {
    fill.addEventListener("click", function (event) {
      event.preventDefault();
      var filled = 0;
      rows.forEach(function (row) {
        var select = selectOf(row);
        if (select.value === "" && !select.disabled) {
          select.value = fill.dataset.fillPresent;
          filled += 1;
        }
      });
      if (filled) dirty = true;
      refresh();
      status.textContent = filled + " marked present. Not saved yet: check, then Enter saves.";
      var first = editable()[0];
      if (first) selectOf(first).focus();
    });
  }

  refresh();
  // Start where the work is: "mark all present" on a fresh register, else the first pupil
  // (not when the page comes back with errors: the alert is read first).
  if (!document.querySelector("[role=alert]")) {
    var firstRow = editable()[0];
    var blanks = rows.some(function (row) { return codeOf(row) === ""; });
    if (fill && blanks) fill.focus();
    else if (firstRow) selectOf(firstRow).focus();
  }
})();
