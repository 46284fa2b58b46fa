// The demo page: send a picked or dropped image to POST /v1/segment?output=json&overlay=true and
// show the overlay, the classes present with their share of pixels, and the time taken.
// Self-contained: no framework, no CDN; the server serves this file.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  let needsKey = false;

  function headers() {
    const h = {};
    const key = $('key').value.trim();
    if (key) h['Authorization'] = 'Bearer ' + key;
    return h;
  }

  function status(text, isError) {
    $('status').textContent = text;
    $('status').className = isError ? 'error' : '';
  }

  async function describe() {
    // /v2 needs the key when auth is on: a 401 here is how the page knows to ask for it.
    const server = await fetch('/v2', { headers: headers() });
    if (server.status === 401) {
      needsKey = true;
      $('key-row').hidden = false;
      $('model').textContent = 'This server needs an API key: type it below, then pick an image.';
      return;
    }
    const models = await fetch('/v2/health/ready');
    $('model').textContent = 'Server ' + (await server.json()).version + (models.ok ? ', ready.' : ', not ready yet.');
  }

  async function segment(file) {
    if (!file) return;
    if (needsKey && !$('key').value.trim()) {
      status('Type the API key first.', true);
      $('key').focus();
      return;
    }
    status('Segmenting ' + file.name + ' (' + Math.round(file.size / 1024) + ' KB)…');
    const t0 = performance.now();
    let answer;
    try {
      const r = await fetch('/v1/segment?output=json&overlay=true', {
        method: 'POST', headers: headers(), body: file });
      answer = await r.json();
      if (!r.ok) {
        status('Refused (' + r.status + '): ' + (answer.error || r.statusText), true);
        return;
      }
    } catch (e) {
      status('The request failed: ' + e, true);
      return;
    }
    const ms = performance.now() - t0;
    show(answer, file.name, ms);
  }

  function show(a, name, ms) {
    $('overlay').src = 'data:image/png;base64,' + a.overlay_png;
    $('caption').textContent = name + ': ' + a.height + ' x ' + a.width + ' pixels, model ' + a.model;
    const total = a.height * a.width;
    const rows = a.classes.map((c, i) => ({ name: c, color: a.palette[i], pixels: a.pixels[i] }))
      .filter((c) => c.pixels > 0)
      .sort((x, y) => y.pixels - x.pixels);
    const body = $('legend').querySelector('tbody');
    body.textContent = '';
    for (const c of rows) {
      const tr = document.createElement('tr');
      tr.className = 'legend-row';
      const sw = document.createElement('td');
      const box = document.createElement('span');
      box.className = 'swatch';
      box.style.background = c.color;
      sw.appendChild(box);
      const nm = document.createElement('td');
      nm.className = 'name';
      nm.textContent = c.name;
      const sh = document.createElement('td');
      sh.className = 'share';
      sh.textContent = (100 * c.pixels / total).toFixed(1) + ' %';
      tr.append(sw, nm, sh);
      body.appendChild(tr);
    }
    $('result').hidden = false;
    status('Done in ' + Math.round(ms) + ' ms (' + a.server_ms + ' ms in the server, ' + a.batch_ms
      + ' ms in the network for a batch of ' + a.batch_size + ').');
    $('status').dataset.done = 'true';
  }

  const drop = $('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    segment(e.dataTransfer.files[0]);
  });
  $('file').addEventListener('change', (e) => {
    const file = e.target.files[0];
    e.target.value = ''; // so that picking the same file again is a change too
    segment(file);
  });
  $('key').addEventListener('change', () => { if (needsKey) $('model').textContent = 'Key set: pick an image.'; });
  describe().catch((e) => status('Cannot reach the server: ' + e, true));
})();
