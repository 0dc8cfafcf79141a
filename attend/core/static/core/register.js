// Progressive enhancement for "Mark all present": without JavaScript the button posts and the
// server fills every empty row; with it, the rows are filled in place and focus stays put.
const button = document.getElementById("mark-all-present");
if (button) {
  button.addEventListener("click", (event) => {
    const code = button.dataset.code;
    if (!code) return;
    event.preventDefault();
    document.querySelectorAll("select.attend-code-select").forEach((select) => {
      if (!select.value) select.value = code;
    });
    const status = document.getElementById("mark-all-status");
    if (status) status.textContent = "Every pupil without a mark is now marked present.";
  });
}
