// The agreement page's print button (no inline script: the Content-Security-Policy allows only files from 'self').
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
});
