/* The class register, enhanced. Without this script every feature still works through the
   server: "Mark all unmarked present" posts the form and comes back filled, and the reason
   field is shown whenever the register already holds marks. */
(function () {
  "use strict";
  var form = document.getElementById("register-form");
  if (!form) return;
  var rows = Array.prototype.slice.call(form.querySelectorAll("tr.register-row"));
  var counters = form.querySelectorAll("[data-unmarked-count]");
  var reasonBlock = form.querySelector("[data-reason-block]");
  var status = document.getElementById("register-status");
  var fill = form.querySelector("[data-fill-present]");

  function codeOf(row) { return row.querySelector("select").value; }
  function lateOf(row) {
    var input = row.querySelector("input[type=number]");
    return input ? input.value.trim() : "";
  }

  function commentOf(row) {
    var input = row.querySelector(".comment-cell input[type=text]");
    return input ? input.value.trim() : (row.dataset.recordedComment || "");
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
      var blank = codeOf(row) === "";
      row.classList.toggle("unmarked", blank);
      var badge = row.querySelector("[data-no-mark]");
      if (badge) badge.hidden = !blank;
      if (blank) unmarked += 1;
      if (changesRecorded(row)) changed = true;
    });
    counters.forEach(function (counter) { counter.textContent = unmarked; });
    if (reasonBlock) {
      var input = reasonBlock.querySelector("input, textarea");
      reasonBlock.hidden = !(changed || input.value.trim() || reasonBlock.dataset.keep);
    }
  }

  form.addEventListener("change", refresh);
  form.addEventListener("input", function (event) {
    if (event.target.type === "number" || event.target.type === "text") refresh();
  });

  if (fill) {
    fill.addEventListener("click", function (event) {
      event.preventDefault();
      var filled = 0;
      rows.forEach(function (row) {
        var select = row.querySelector("select");
        if (select.value === "") {
          select.value = fill.dataset.fillPresent;
          filled += 1;
        }
      });
      refresh();
      status.textContent = filled + " marked present. Not saved yet: check and save.";
    });
  }

  refresh();
})();
