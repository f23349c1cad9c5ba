// Maintenance console: component states from /api/status, the outbox and the dossier list from the loopback-only
// maintenance API, refreshed by events and every 5 s. No personal data.
(function () {
  "use strict";
  const names = {
    broker: "MQTT broker", firmware: "Firmware (MCU)", reader: "Đầu đọc thẻ / card reader",
    fingerprint: "Vân tay / fingerprint", printer: "Máy in / printer", portal: "Cổng dịch vụ công / portal"
  };
  const printerVi = { "paper-out": "Hết giấy (paper out)", "cover-open": "Nắp mở (cover open)", "near-end": "Sắp hết giấy (paper near end)" };
  const good = ["connected", "online", "ok", "reachable", "near-end"];
  function esc(s) { const d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
  async function load() {
    try {
      const s = await (await fetch("/api/status", { cache: "no-store" })).json();
      document.getElementById("kiosk").textContent = s.kioskId;
      document.getElementById("components").innerHTML = Object.keys(s.components).map((k) => {
        const v = s.components[k];
        const label = k === "printer" && printerVi[v] ? printerVi[v] : v;
        return `<tr><th>${esc(names[k] || k)}</th><td class="${good.includes(v) ? "" : "error"}">${esc(label)}</td></tr>`;
      }).join("");
      document.getElementById("queue").textContent = `Chờ gửi / pending: ${s.queue.pending} — cũ nhất / oldest: ${s.queue.oldestPendingSeconds} s`;
      document.getElementById("sync").textContent = `Lần gửi cuối / last success: ${s.sync.lastSuccessAt || "—"}; lỗi cuối / last error: ${s.sync.lastError || "—"}`;
      document.getElementById("version").textContent = `host ${s.version}, firmware ${s.firmwareVersion || "?"}`;
    } catch (e) {
      document.getElementById("kiosk").textContent = "Host không phản hồi / host not reachable";
    }
    await loadSync();
  }
  // The maintenance API answers on the kiosk itself only (loopback); elsewhere these sections stay empty.
  async function loadSync() {
    try {
      const sync = await (await fetch("/api/maintenance/sync", { cache: "no-store" })).json();
      const reasons = Object.keys(sync.deadLetterReasons || {}).map((r) => `${r} ×${sync.deadLetterReasons[r]}`).join(", ");
      document.getElementById("sync-detail").textContent =
        `Đang gửi / leased: ${sync.leased} — lỗi không gửi được / dead letters: ${sync.deadLetter}` +
        (reasons ? ` (${reasons})` : "") +
        (sync.pausedUntil ? ` — tạm dừng đến / paused until: ${sync.pausedUntil}` : "");
      const failures = document.getElementById("sync-failures");
      failures.textContent =
        `Lỗi liên tiếp / failures in a row: ${sync.consecutiveFailures}` +
        ` — loại lỗi cuối / last error kind: ${sync.lastErrorKind || "—"}` +
        ` — lần thử tới / next attempt: ${sync.nextAttemptAt || "—"}`;
      failures.className = sync.consecutiveFailures > 0 ? "error" : "";
      await loadCardTrust();
      const rows = await (await fetch("/api/maintenance/dossiers", { cache: "no-store" })).json();
      document.querySelector("#dossiers tbody").innerHTML = rows.slice(-50).reverse().map((d) =>
        `<tr><td>${esc(d.localReference)}</td><td>${esc(d.procedure)}</td><td>${esc(d.createdAt)}</td>` +
        `<td class="${d.state === "dead-letter" ? "error" : ""}">${esc(d.state)}</td><td>${esc(d.portalCode || "—")}</td>` +
        `<td>${esc(d.portalStatus ?? "—")}</td><td>${esc(d.attempts)}</td><td>${esc(d.lastError || "")}</td></tr>`).join("");
    } catch (e) {
      document.getElementById("sync-detail").textContent = "Chỉ xem được trên kiosk / only on the kiosk itself";
    }
  }
  // The CSCA trust store and the cards the trust policy refused (no self-service filing) or filed marked for staff.
  const storeVi = { ok: "ổn (ok)", missing: "không có thư mục CSCA (no --csca folder)", empty: "thư mục CSCA trống (no CSCA certificate)",
    expired: "mọi CSCA đã hết hạn (every CSCA expired)", attention: "cần kiểm tra (needs attention)" };
  async function loadCardTrust() {
    const c = await (await fetch("/api/maintenance/card-trust", { cache: "no-store" })).json();
    const store = document.getElementById("trust-store");
    store.textContent = `Kho CSCA / trust store: ${storeVi[c.trustStore] || c.trustStore} — ${c.certificatesValidNow}/${c.certificates} chứng thư còn hạn (valid now)` +
      (c.untrustedCards > 0 ? ` — ${c.untrustedCards} thẻ chưa xác thực đủ, hồ sơ chờ cán bộ kiểm tra (untrusted cards, dossiers marked for staff)` : "") +
      (c.trustStoreWarnings.length ? ` — ${c.trustStoreWarnings.join("; ")}` : "");
    store.className = c.trustStoreNeedsAttention ? "error" : "";
    const reasons = Object.keys(c.refusedByReason || {}).map((r) => `${r} ×${c.refusedByReason[r]}`).join(", ");
    const refused = document.getElementById("card-trust");
    refused.textContent = `Thẻ bị từ chối nộp tự động / cards refused: ${c.refusedCards}` + (reasons ? ` (${reasons})` : "") +
      (c.lastRefusedAt ? ` — lần cuối / last: ${c.lastRefusedAt}` : "");
    refused.className = c.refusedCards > 0 ? "error" : "";
  }
  document.getElementById("sync-now").addEventListener("click", async () => {
    await fetch("/api/maintenance/sync/now", { method: "POST" });
    setTimeout(load, 1000);
  });
  const events = new EventSource("/api/events");
  ["printer", "device", "card"].forEach((n) => events.addEventListener(n, load));
  setInterval(load, 5000);
  // The benchmark (tests/Benchmarks/UiBenchmark) reads this mark: the console is interactive once the first load is drawn.
  load().then(() => { performance.mark("kiosk:ready"); document.body.dataset.ready = "true"; });
})();
