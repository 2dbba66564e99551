// A print button (data-print): the page's own print style sheet does the rest.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", (event) => {
    event.preventDefault();
    window.print();
  });
});
