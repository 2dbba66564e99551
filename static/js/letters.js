/* The letter batch page: poll the progress fragment every 2 seconds until the batch has
   finished, then stop (the fragment then carries the download link). Without this script
   the page still shows the state when loaded, with a link to refresh. */
(function () {
  "use strict";
  var box = document.getElementById("batch-progress");
  if (!box) return;
  var url = box.dataset.progressUrl;

  function finished() { return box.dataset.finished === "true"; }

  function schedule(ms) {
    if (!finished()) window.setTimeout(poll, ms || 2000);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html.trim();
        var fresh = holder.querySelector("#batch-progress");
        if (fresh) {
          box.replaceWith(fresh);
          box = fresh;
        }
        schedule();
      })
      .catch(function () { schedule(5000); });  // a blip: try again a little later
  }

  schedule();
})();
