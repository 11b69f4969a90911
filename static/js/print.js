// Buttons marked data-print open the browser's print dialog (no inline scripts: Content-Security-Policy).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
