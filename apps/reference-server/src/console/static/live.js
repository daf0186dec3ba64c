// Live updates of the operator pages. Served as /ops/live.js (the pages'
// CSP allows no inline script). Listens to /ops/events; when the server
// says something changed, fetches the same page again and swaps its
// <main>, so a new alert, a delivery's state or a task's assignment
// appears without a reload. The notice after an action stays as it was.
(() => {
  const main = document.getElementById('ops-main');
  const status = document.getElementById('live');
  if (!main || !status || typeof EventSource === 'undefined') return;

  const show = (state, text) => {
    status.dataset.state = state;
    status.textContent = text;
  };
  let busy = false;
  let again = false;

  async function refresh() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      const res = await fetch(window.location.href, {
        headers: { accept: 'text/html' },
        credentials: 'same-origin',
        cache: 'no-store',
      });
      if (!res.ok) return;
      const page = new DOMParser().parseFromString(await res.text(), 'text/html');
      const fresh = page.getElementById('ops-main');
      if (!fresh) return;
      main.replaceChildren(...fresh.childNodes);
      main.dataset.updated = new Date().toISOString();
      show('open', `Live · updated ${new Date().toLocaleTimeString()}`);
    } catch {
      show('error', 'Live update failed — reload the page');
    } finally {
      busy = false;
      if (again) {
        again = false;
        void refresh();
      }
    }
  }

  let opened = false;
  const source = new EventSource('/ops/events');
  source.addEventListener('open', () => {
    show('open', 'Live');
    // After a reconnect, catch up on what changed while the stream was down.
    if (opened) void refresh();
    opened = true;
  });
  source.addEventListener('change', () => void refresh());
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED)
      show('closed', 'Live updates off — reload the page');
    else show('connecting', 'Reconnecting…');
  });
})();
