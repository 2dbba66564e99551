// The navigation bar's pupil search: a combobox (WAI-ARIA 1.2 pattern). Typing asks the
// server (registers:pupil_search) for pupils by name or UPN; ↓/↑ move through them, Enter
// opens the highlighted pupil (or the full pupil list when none is highlighted), Escape
// closes the list. Without JavaScript the form submits to the pupil list's search.
(function () {
  "use strict";
  const form = document.querySelector(".nav-pupil-search");
  if (!form) return;
  const input = form.querySelector("input[role=combobox]");
  const list = form.querySelector("[role=listbox]");
  const status = form.querySelector("[role=status]");
  let items = [];
  let active = -1;
  let timer = null;
  let asked = "";

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    items.forEach((li, n) => {
      li.classList.toggle("active", n === index);
      li.setAttribute("aria-selected", n === index ? "true" : "false");
    });
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", items[index].id);
      items[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(data) {
    list.replaceChildren();
    items = data.results.map((pupil, n) => {
      const li = document.createElement("li");
      li.id = `nav-pupil-${n}`;
      li.className = "list-group-item list-group-item-action";
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.url = pupil.url;
      const name = document.createElement("span");
      name.textContent = pupil.name;
      const detail = document.createElement("span");
      detail.className = "small text-body-secondary ms-2";
      detail.textContent = [pupil.form, pupil.upn].filter(Boolean).join(" · ");
      li.append(name, detail);
      li.addEventListener("mousedown", (event) => {
        event.preventDefault();
        window.location.assign(pupil.url);
      });
      list.append(li);
      return li;
    });
    const count = items.length;
    status.textContent = count
      ? `${count} pupil${count === 1 ? "" : "s"} found: use the arrow keys to choose.`
      : "No pupil found.";
    if (!count) {
      const li = document.createElement("li");
      li.className = "list-group-item small text-body-secondary";
      li.textContent = "No pupil on roll matches.";
      list.append(li);
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(-1);
  }

  function ask() {
    const query = input.value.trim();
    if (query.length < 2) {
      close();
      return;
    }
    asked = query;
    fetch(`${form.dataset.searchUrl}?q=${encodeURIComponent(query)}`, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => {
        if (data && asked === query && input.value.trim() === query) show(data);
      })
      .catch(() => close());
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(ask, 150);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && items.length) {
      event.preventDefault();
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(Math.min(active + 1, items.length - 1));
    } else if (event.key === "ArrowUp" && items.length) {
      event.preventDefault();
      highlight(Math.max(active - 1, -1));
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.assign(items[active].dataset.url);
    } else if (event.key === "Escape") {
      if (!list.hidden) event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
})();
