// The countdown of an online test. Only a display: the server fixed the deadline when the
// attempt started and refuses to count a late paper. At zero the paper is sent as it is.
(() => {
  const timer = document.getElementById("timer");
  const paper = document.getElementById("paper");
  if (!timer || !paper) return;
  const end = Date.now() + Number(timer.dataset.remaining) * 1000;
  let sent = false;
  paper.addEventListener("submit", () => { sent = true; });
  const show = () => {
    const left = Math.max(0, Math.round((end - Date.now()) / 1000));
    const m = Math.floor(left / 60), s = left % 60;
    timer.textContent = `${m}:${String(s).padStart(2, "0")}`;
    timer.classList.toggle("is-short", left <= 60);
    if (left === 0 && !sent) { sent = true; paper.requestSubmit(); return; }
    if (left > 0) setTimeout(show, 1000);
  };
  show();
})();
