// Residents' page: one page that moves through the steps of /api/session. All text comes from i18n/*.json
// (Vietnamese inlined in the page by the host as <script id="i18n-vi">, English fetched once the page is ready).
// The service catalogue and the provinces are inlined too (<script id="kiosk-start">); wards are fetched per province.
// No personal data is kept in the browser: no storage, no history entries, forms cleared when the session ends.
(function () {
  "use strict";
  const dict = { vi: {}, en: {} };
  let lang = "vi";
  let catalog = { services: [], proofDocuments: [], permanentDocuments: [], permanentConditions: [], relationships: [] };
  let provinces = [];
  let last = null;
  let uiStep = null;        // "lookup" while the resident looks a dossier up (no session)
  let formFor = null;       // session id whose form is on screen
  let kbMethod = "telex";
  let kbShift = false;
  let kbTarget = null;
  let mrzMode = false;      // the CAN step shows the MRZ fields instead of the CAN keypad
  const MRZ_FIELDS = ["documentNumber", "dateOfBirth", "dateOfExpiry"];

  const $ = (id) => document.getElementById(id);
  const t = (k) => (dict[lang] && dict[lang][k]) || (dict.vi && dict.vi[k]) || k;
  const pick = (vi, en) => (lang === "en" ? en : vi);
  // A message the host sent as a key (+ number) of the same resource files: shown in the current language.
  const msg = (key, n) => t(key).replace("{n}", n == null ? "" : String(n));
  const has = (k) => !!(dict[lang] && dict[lang][k]);

  async function api(method, path, body) {
    const res = await fetch(path, {
      method, cache: "no-store", headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined
    });
    const data = await res.json().catch(() => ({}));
    dataAt = performance.now();
    return { status: res.status, data };
  }

  function esc(s) { const d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
  function fmtDate(iso) { if (!iso) return ""; const [y, m, d] = iso.slice(0, 10).split("-"); return `${d}/${m}/${y}`; }
  function fmtDateTime(iso) { return iso ? fmtDate(iso) + " " + iso.slice(11, 16) : ""; }
  // "26/11/2026", "26-11-2026" or "2026-11-26" → "2026-11-26"; anything else passes through for the server to refuse.
  function isoDate(text) {
    const v = (text || "").trim();
    let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v);
    if (m) return `${m[3]}-${m[2].padStart(2, "0")}-${m[1].padStart(2, "0")}`;
    m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
    return m ? v : (v || null);
  }

  // ---------- language, contrast ----------
  function applyLanguage() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll("[data-msg]").forEach((el) => { el.textContent = msg(el.dataset.msg, el.dataset.n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
    const other = lang === "vi" ? "en" : "vi";
    $("lang").textContent = t("other");
    $("lang").setAttribute("lang", other);
    $("keyboard").setAttribute("aria-label", t("keyboard"));
    fillSelectLabels();
    if (last) render(last);
    if (!$("keyboard").hidden) buildKeyboard();
  }

  // ---------- places (their names are Vietnamese in both languages: lang="vi" for screen readers) ----------
  function fillProvinces() {
    const sel = $("provinceCode"), keep = sel.value;
    sel.innerHTML = `<option value="">${esc(t("choose"))}</option>` + provinces.map((p) => `<option value="${p.code}" lang="vi">${esc(p.name)}</option>`).join("");
    sel.value = keep;
  }
  const wardCache = {};
  async function fillWards(selectCode) {
    const code = $("provinceCode").value, sel = $("wardCode");
    sel.innerHTML = `<option value="">${esc(t("choose"))}</option>`;
    if (!code) return;
    if (!wardCache[code]) wardCache[code] = (await api("GET", `/api/places/${code}/wards`)).data || [];
    if ($("provinceCode").value !== code) return;
    sel.innerHTML = `<option value="">${esc(t("choose"))}</option>` + wardCache[code].map((w) => `<option value="${w.code}" lang="vi">${esc(w.name)}</option>`).join("");
    if (selectCode) sel.value = String(selectCode);
  }

  // ---------- choices built from the service catalogue ----------
  function relOptions(sel) {
    const keep = sel.value;
    sel.innerHTML = `<option value="">${esc(t("choose"))}</option>` + catalog.relationships.map((r) => `<option value="${r}">${esc(t("rel." + r))}</option>`).join("");
    sel.value = keep;
  }
  function fillSelectLabels() {
    document.querySelectorAll(".rel-select").forEach(relOptions);
    document.querySelectorAll("select.sex-select").forEach((sel) => {
      const keep = sel.value;
      sel.innerHTML = `<option value="">${esc(t("choose"))}</option><option value="Nam">${esc(t("sex.Nam"))}</option><option value="Nữ">${esc(t("sex.Nữ"))}</option>`;
      sel.value = keep;
    });
    if (provinces.length) { const w = $("wardCode").value; fillProvinces(); if ($("provinceCode").value) fillWards(w); }
  }
  function buildChoices() {
    const radio = (name, code, key) => `<div class="check"><input type="radio" name="${name}" id="${name}-${code}" value="${code}"><label for="${name}-${code}" data-i18n="${key}">${esc(t(key))}</label></div>`;
    const box = (name, code, key) => `<div class="check"><input type="checkbox" name="${name}" id="${name}-${code}" value="${code}"><label for="${name}-${code}" data-i18n="${key}">${esc(t(key))}</label></div>`;
    $("proof-one").innerHTML = catalog.proofDocuments.map((c) => radio("proofDocument", c, "doc." + c)).join("");
    $("conditions").innerHTML = catalog.permanentConditions.map((c) => radio("condition", c, "cond." + c)).join("");
    $("proof-many").innerHTML = catalog.permanentDocuments.map((c) => box("proofDocuments", c, "doc." + c)).join("");
    relOptions($("relationshipToHead"));
  }

  let memberCount = 0;
  function addMember() {
    const i = memberCount++;
    const div = document.createElement("div");
    div.className = "member card";
    div.dataset.index = String(i);
    const f = (id, key, attrs) => `<label for="m${i}-${id}" data-i18n="${key}">${esc(t(key))}</label><input id="m${i}-${id}" type="text" autocomplete="off" ${attrs} aria-describedby="e-m${i}-${id}"><p class="error" id="e-m${i}-${id}" data-error="members[${i}].${id}"></p>`;
    div.innerHTML = `<h3><span data-i18n="member">${esc(t("member"))}</span> ${i + 1}</h3>` +
      f("fullName", "fullName", 'maxlength="100"') + f("dateOfBirth", "dob", 'inputmode="numeric" maxlength="10" data-i18n-placeholder="ph.date" data-kb="date"') +
      `<label for="m${i}-sex" data-i18n="memberSex">${esc(t("memberSex"))}</label><select id="m${i}-sex" class="sex-select" autocomplete="off" aria-describedby="e-m${i}-sex"></select><p class="error" id="e-m${i}-sex" data-error="members[${i}].sex"></p>` +
      f("idNumber", "idNumber", 'inputmode="numeric" maxlength="12" data-kb="numeric"') +
      `<label for="m${i}-relationship" data-i18n="memberRelationship">${esc(t("memberRelationship"))}</label><select id="m${i}-relationship" class="rel-select" autocomplete="off" aria-describedby="e-m${i}-relationship"></select><p class="error" id="e-m${i}-relationship" data-error="members[${i}].relationship"></p>` +
      `<button type="button" class="secondary btn-remove-member" data-i18n="removeMember">${esc(t("removeMember"))}</button>`;
    $("members").appendChild(div);
    div.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
    fillSelectLabels();
    div.querySelector(".btn-remove-member").addEventListener("click", () => div.remove());
  }

  // ---------- rendering ----------
  function serviceInfo(code) { return catalog.services.find((s) => s.procedure === code); }

  function formTags(s) {
    const tags = [s.service];
    if (s.service === "xac-nhan-cmnd" && !(s.identity && s.identity.oldIdNumber)) tags.push("xac-nhan-cmnd-missing");
    if (s.service === "ho-tro-vneid" && document.querySelector("input[name=level]:checked").value === "1") tags.push("ho-tro-vneid-1");
    return tags;
  }

  function applyFormVisibility(s) {
    const tags = formTags(s);
    document.querySelectorAll("#form fieldset[data-for], #form div[data-for]").forEach((el) => {
      const show = el.dataset.for.split(" ").some((x) => tags.includes(x));
      el.hidden = !show;
      if (el.tagName === "FIELDSET") el.disabled = !show;
    });
    $("guest").hidden = !$("guestToggle").checked;
    const rel = $("relationshipToHead").value;
    $("head-fields").hidden = rel === "chu-ho";
    const cmndOnChip = s.service === "xac-nhan-cmnd" && s.identity && s.identity.oldIdNumber;
    const vneidL2 = s.service === "ho-tro-vneid" && !tags.includes("ho-tro-vneid-1");
    $("btn-submit").hidden = !!(cmndOnChip || vneidL2);
    $("vneid-note").textContent = s.service === "ho-tro-vneid" ? (vneidL2 ? t("vneidL2Staff") : t("vneidFace") + " " + t("vneidContact")) : "";
  }

  // ---------- timing: each in-page screen change is measured by the page itself ----------
  // "kiosk:screen:<step>" runs from what triggered the change (a touch, or a device/session event from the host) to
  // the first frame that shows the new screen; "kiosk:render:<step>" from the moment the data for it arrived. The
  // benchmark (tests/Benchmarks/UiBenchmark) reads them with performance.getEntriesByType("measure").
  let triggerAt = 0, dataAt = 0, shownStep = null;
  const trigger = () => { triggerAt = performance.now(); };
  document.addEventListener("pointerdown", trigger, true);
  document.addEventListener("click", (e) => { if (e.isTrusted === false || !triggerAt || performance.now() - triggerAt > 1000) trigger(); }, true);
  function measureShown(stepId) {
    const from = triggerAt || dataAt, data = dataAt || from;
    requestAnimationFrame(() => setTimeout(() => {
      const end = performance.now();
      try {
        performance.measure("kiosk:screen:" + stepId, { start: Math.min(from, end), end });
        performance.measure("kiosk:render:" + stepId, { start: Math.min(data, end), end });
      } catch (e) { /* timing is best effort */ }
    }, 0));
  }

  function show(stepId) {
    document.querySelectorAll(".step").forEach((el) => { el.hidden = el.id !== "step-" + stepId; });
    if (stepId !== shownStep) { shownStep = stepId; measureShown(stepId); }
    triggerAt = 0; dataAt = 0;
  }

  // ---------- spoken guidance (espeak-ng on the host, through the headphones) ----------
  let speechOn = false, spokenStep = null;
  const audio = new Audio();
  const PROMPTS = { idle: "chooseService", lookup: "lookupText", consent: "consentText", can: "canText", waitingCard: "placeCard", reading: "reading",
    fingerprint: "fpText", form: "speakForm", submitting: "submitting", done: "removeCard", cardRefused: "refusedText" };
  function speak(key) {
    if (!speechOn || !key) return;
    audio.src = `/api/speech/${lang}/${encodeURIComponent(key)}`;
    audio.play().catch(() => {});
  }

  function render(s) {
    // However the end is learnt (session or card event, idle, an answer), a session that ended leaves nothing behind.
    const wasActive = !!(last && last.active);
    last = s;
    if (wasActive && !s.active) wipe();
    let step = s.step;
    if (step === "idle" && uiStep === "lookup") step = "lookup";
    if (step === "form" && (s.fingerprintAccepted === null || s.fingerprintAccepted === undefined)) step = "fingerprint";
    if (step === "can" && shownStep !== "can") { $("can").value = ""; $("e-can").textContent = ""; $("can").removeAttribute("aria-invalid"); clearMrz(); }
    show(step);
    if (step !== spokenStep) { spokenStep = step; speak(PROMPTS[step]); }
    const info = s.service ? serviceInfo(s.service) : null;
    document.querySelectorAll(".service-name").forEach((el) => {
      el.textContent = info ? (el.tagName === "H2" ? "" : t("consentFor")) + pick(info.titleVi, info.titleEn) : "";
    });
    $("consent-face").hidden = s.service !== "ho-tro-vneid";
    const err = $("read-error");
    err.hidden = !s.readError; err.textContent = s.readError ? t("readError") : "";
    if (step === "can") renderCan(s);

    if (step === "form" && s.identity) {
      const i = s.identity;
      // What the chip holds is Vietnamese in both languages (lang="vi": screen readers use the Vietnamese voice).
      const sex = i.sex && has("sex." + i.sex) ? `<dd>${esc(t("sex." + i.sex))}</dd>` : `<dd lang="vi">${esc(i.sex)}</dd>`;
      $("identity").innerHTML = `<dl><dt>${esc(t("fullName"))}</dt><dd lang="vi">${esc(i.fullName)}</dd><dt>${esc(t("idNumber"))}</dt><dd>${esc(i.idNumber)}</dd>` +
        `<dt>${esc(t("dob"))}</dt><dd>${esc(fmtDate(i.dateOfBirth))}</dd><dt>${esc(t("sex"))}</dt>${sex}` +
        `<dt>${esc(t("residence"))}</dt><dd lang="vi">${esc(i.placeOfResidence)}</dd></dl>`;
      $("service-info").textContent = info ? t("time") + pick(info.timeVi, info.timeEn) + ". " + t("fee") + pick(info.feeVi, info.feeEn) + "." : "";
      $("deadline-rule").textContent = pick(s.deadlineRuleVi, s.deadlineRuleEn);
      const sug = s.residenceSuggestions || [];
      $("suggestions").hidden = sug.length === 0 || !["thong-bao-luu-tru", "dang-ky-tam-tru", "dang-ky-thuong-tru"].includes(s.service);
      $("suggestions").innerHTML = `<p>${esc(t("suggestTitle"))}</p><div class="row">` + sug.map((w) =>
        `<button type="button" class="secondary suggest" lang="vi" data-province="${w.provinceCode}" data-ward="${w.wardCode}">${esc(w.wardName)}, ${esc(w.provinceName)}</button>`).join("") + "</div>";
      document.querySelectorAll("#suggestions .suggest").forEach((b) => b.addEventListener("click", async () => {
        $("provinceCode").value = b.dataset.province; await fillWards(b.dataset.ward);
      }));
      $("cmnd-info").innerHTML = s.service !== "xac-nhan-cmnd" ? "" : (i.oldIdNumber
        ? `<p>${esc(t("cmndOnChip"))}</p><p class="big" id="old-id">${esc(i.oldIdNumber)}</p><p class="note">${esc(t("cmndNoNeed"))}</p>`
        : `<p class="note">${esc(t("cmndMissing"))}</p>`);
      renderVerification(canInfo.verification);
      if (formFor !== s.sessionId) { formFor = s.sessionId; clearForm(); }
      applyFormVisibility(s);
    } else if (step !== "form") {
      $("identity").innerHTML = ""; $("suggestions").innerHTML = ""; $("cmnd-info").innerHTML = "";
    }
    if (step === "done" && s.result) {
      const r = s.result;
      $("done-code").textContent = r.dossierCode ? t("code") + r.dossierCode : t("pending") + r.localReference;
      $("done-deadline").textContent = r.deadline ? t("deadline") + fmtDateTime(r.deadline) : "";
      $("done-info").textContent = info ? t("time") + pick(info.timeVi, info.timeEn) + ". " + t("fee") + pick(info.feeVi, info.feeEn) + "." : "";
      $("done-print").textContent = has("print." + r.print) ? t("print." + r.print) : pick(r.printMessageVi, r.printMessageEn);
      // Filed on a card the kiosk could not verify to the end: staff check the card at the counter.
      $("done-staff").hidden = !r.staffVerification;
      $("done-staff").textContent = r.staffVerification ? t("doneStaff") : "";
    }
    if (!s.active) hideIdleWarning();
  }

  // ---------- the CAN step (last 6 digits of the 12-digit ID number, for the chip's PACE) ----------
  let canInfo = { canAttemptsLeft: 3, canMaxAttempts: 3 };
  function renderCan(s) {
    const m = $("can-message"), e = s.readError;
    const locked = e === "can-locked" || canInfo.canAttemptsLeft <= 0;
    let text = "";
    if (locked) text = msg("canLocked", canInfo.canMaxAttempts);
    else if (e === "can-wrong") text = t("canWrong") + " " + msg("canAttemptsLeft", canInfo.canAttemptsLeft);
    else if (e === "mrz-wrong") text = t("mrzWrong") + " " + msg("canAttemptsLeft", canInfo.canAttemptsLeft);
    else if (e === "can-required") text = t("canRequired");
    else if (e) text = t("readError");
    m.textContent = text;
    m.hidden = !text;
    m.className = e === "can-required" ? "note" : "error";
    if (e === "mrz-wrong" && e !== spokenCanError) mrzMode = true; // the MRZ was refused: its fields again
    $("can-form").hidden = locked || mrzMode;
    $("mrz-form").hidden = locked || !mrzMode;
    $("can-text").hidden = mrzMode; $("can-example").hidden = mrzMode;
    $("h-can").dataset.i18n = mrzMode ? "mrzTitle" : "canTitle";
    $("h-can").textContent = t($("h-can").dataset.i18n);
    const toggle = $("btn-mrz");
    toggle.hidden = locked;
    toggle.dataset.i18n = mrzMode ? "mrzToggleBack" : "mrzToggle";
    toggle.textContent = t(toggle.dataset.i18n);
    toggle.setAttribute("aria-expanded", String(mrzMode));
    if (e !== spokenCanError) { spokenCanError = e; if (e === "can-wrong" || e === "mrz-wrong") speak(e === "can-wrong" ? "canWrong" : "mrzWrong"); }
  }
  // ---------- instead of the CAN: the MRZ details (document number, dates of birth and expiry) ----------
  function clearMrzErrors() {
    MRZ_FIELDS.forEach((f) => {
      const el = $("e-mrz-" + f);
      el.textContent = ""; delete el.dataset.msg; delete el.dataset.n;
      $("mrz-" + f).removeAttribute("aria-invalid");
    });
  }
  // What was typed goes once it is sent, and with the session: nothing of it stays in the page.
  function clearMrz() { MRZ_FIELDS.forEach((f) => { $("mrz-" + f).value = ""; }); clearMrzErrors(); }
  $("btn-mrz").addEventListener("click", () => {
    mrzMode = !mrzMode;
    hideKeyboard(); clearMrz();
    $("can").value = ""; $("e-can").textContent = ""; $("can").removeAttribute("aria-invalid");
    if (last) renderCan(last);
  });
  $("mrz-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    hideKeyboard(); clearMrzErrors();
    const body = {};
    MRZ_FIELDS.forEach((f) => { body[f] = $("mrz-" + f).value.trim(); });
    const r = await api("POST", "/api/session/mrz", body);
    if (r.status === 400) {
      let firstKey = null;
      MRZ_FIELDS.forEach((f) => {
        const m = r.data.messages && r.data.messages[f];
        if (!m) return;
        const el = $("e-mrz-" + f);
        el.dataset.msg = m.key;
        if (m.n != null) el.dataset.n = m.n;
        el.textContent = msg(m.key, m.n);
        $("mrz-" + f).setAttribute("aria-invalid", "true");
        firstKey = firstKey || m.key;
      });
      speak(firstKey);
      return;
    }
    clearMrz();
    if (r.status === 200) render(r.data); else refresh();
  });
  let spokenCanError = null;
  async function loadCanInfo() {
    // The page's head asked for it already at load: that answer serves the first screen.
    const early = window.kioskCard ? await window.kioskCard : null;
    window.kioskCard = null;
    if (early) { canInfo = early; return; }
    const r = await api("GET", "/api/session/card");
    if (r.status === 200 && r.data) canInfo = r.data;
  }
  function canPress(digit) {
    const input = $("can");
    if (input.value.length < 6) input.value += digit;
    $("e-can").textContent = ""; input.removeAttribute("aria-invalid");
  }
  $("can-keypad").addEventListener("mousedown", (e) => e.preventDefault());
  $("can-keypad").addEventListener("click", (e) => {
    const b = e.target.closest("button");
    if (!b) return;
    if (b.dataset.digit !== undefined) canPress(b.dataset.digit);
    else if (b.id === "can-back") $("can").value = $("can").value.slice(0, -1);
  });
  $("can-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const r = await api("POST", "/api/session/can", { can: $("can").value });
    if (r.status === 400) {
      const m = r.data.messages && r.data.messages.can;
      $("e-can").textContent = m ? msg(m.key, m.n) : pick(r.data.errors && r.data.errors.can, r.data.errorsEn && r.data.errorsEn.can);
      $("can").setAttribute("aria-invalid", "true");
      speak("err.can.sixDigits");
      return;
    }
    $("can").value = "";
    if (r.status === 200) render(r.data); else refresh();
  });

  // ---------- the chip's verification on the form: verified, or untrusted (filed, marked for staff at the counter) ----------
  // A refused card never reaches the form: the host shows the counter screen (step cardRefused) instead.
  function renderVerification(v) {
    const el = $("card-verification");
    if (!v) { el.hidden = true; el.textContent = ""; return; }
    const ok = v.trust === "verified";
    el.textContent = t(ok ? "cardVerified" : "cardUntrusted");
    el.className = ok ? "verified" : "note";
    el.hidden = false;
  }

  async function refresh() { await showSession((await api("GET", "/api/session")).data); }
  // Renders a session view, with the card's CAN attempts and verification first when the step shows them.
  async function showSession(s) {
    if (s && s.active && ["can", "reading", "waitingCard", "form"].includes(s.step)) await loadCanInfo();
    render(s);
  }

  function clearErrors() {
    document.querySelectorAll("[data-error]").forEach((e) => { e.textContent = ""; delete e.dataset.msg; delete e.dataset.n; });
    document.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
    $("error-summary").hidden = true; $("error-summary").textContent = "";
  }
  function clearForm() {
    $("form").reset(); $("lookup-form").reset();
    $("members").innerHTML = ""; memberCount = 0;
    $("lookup-result").hidden = true; $("lookup-result").innerHTML = ""; $("lookup-error").textContent = ""; delete $("lookup-error").dataset.msg;
    fillWards();
    clearErrors();
  }
  // Every trace of the resident goes: forms, identity, results, keyboard; the history holds a single clean entry.
  function wipe() {
    clearForm();
    ["identity", "suggestions", "cmnd-info", "done-code", "done-deadline", "done-print", "done-info", "done-staff", "card-verification"].forEach((id) => { $(id).textContent = ""; });
    $("can").value = ""; $("e-can").textContent = ""; canInfo = { canAttemptsLeft: 3, canMaxAttempts: 3 };
    clearMrz(); mrzMode = false;
    formFor = null; uiStep = null;
    hideKeyboard(); hideIdleWarning();
    if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    history.replaceState(null, "", "/");
  }

  // ---------- the form ----------
  const val = (id) => $(id).value.trim();
  function body(service) {
    if (service === "thong-bao-luu-tru") {
      return {
        addressLine: val("addressLine"), provinceCode: val("provinceCode") ? Number(val("provinceCode")) : null,
        wardCode: val("wardCode") ? Number(val("wardCode")) : null, fromDate: isoDate(val("fromDate")), toDate: isoDate(val("toDate")),
        reason: val("reason"), arrivalTime: val("arrivalTime") || null,
        guest: $("guestToggle").checked ? { fullName: val("guestName"), documentType: val("guestDocType"), documentNumber: val("guestDocNumber"), dateOfBirth: isoDate(val("guestDob")) } : null
      };
    }
    if (service === "dang-ky-tam-tru" || service === "dang-ky-thuong-tru") {
      const checked = (name) => Array.from(document.querySelectorAll(`input[name=${name}]:checked`)).map((x) => x.value);
      return {
        phone: val("phone"), email: val("email"), relationshipToHead: val("relationshipToHead") || null,
        householdHeadName: val("householdHeadName"), householdHeadIdNumber: val("householdHeadIdNumber"),
        addressLine: val("addressLine"), provinceCode: val("provinceCode") ? Number(val("provinceCode")) : null,
        wardCode: val("wardCode") ? Number(val("wardCode")) : null,
        fromDate: isoDate(val("fromDate")), toDate: isoDate(val("toDate")),
        proofDocument: checked("proofDocument")[0] || null, condition: checked("condition")[0] || null,
        proofDocuments: checked("proofDocuments"), ownerConsent: $("ownerConsent").checked,
        members: Array.from(document.querySelectorAll("#members .member")).map((m) => {
          const i = m.dataset.index, g = (f) => $(`m${i}-${f}`).value.trim();
          return { fullName: g("fullName"), dateOfBirth: isoDate(g("dateOfBirth")), sex: g("sex"), idNumber: g("idNumber"), relationship: g("relationship") || null };
        }),
        guardianName: val("guardianName"), guardianIdNumber: val("guardianIdNumber"), guardianConsent: $("guardianConsent").checked, note: val("note")
      };
    }
    if (service === "xac-nhan-cmnd") return { phone: val("phone"), email: val("email"), oldIdNumber: val("oldIdNumber"), note: val("note") };
    return { level: Number(document.querySelector("input[name=level]:checked").value), phone: val("phone"), email: val("email") };
  }

  function showErrors(errs) {
    let first = null;
    // Member rows are numbered by their position in the request: map back to the rows on screen.
    const rows = Array.from(document.querySelectorAll("#members .member"));
    Object.keys(errs || {}).forEach((k) => {
      let key = k;
      const m = /^members\[(\d+)\]\.(.+)$/.exec(k);
      if (m && rows[Number(m[1])]) key = `members[${rows[Number(m[1])].dataset.index}].${m[2]}`;
      const el = document.querySelector(`[data-error="${CSS.escape(key)}"]`);
      if (!el) return;
      const e = errs[k];
      if (e && typeof e === "object") {
        el.dataset.msg = e.key;
        if (e.n != null) el.dataset.n = String(e.n);
        el.textContent = msg(e.key, e.n);
      } else el.textContent = e;
      const input = document.querySelector(`[aria-describedby="${CSS.escape(el.id)}"]`);
      if (input) { input.setAttribute("aria-invalid", "true"); first = first || input; }
    });
    speak("errorSummary");
    $("error-summary").textContent = t("errorSummary");
    $("error-summary").hidden = false;
    $("error-summary").focus();
  }

  // ---------- on-screen keyboard ----------
  const LETTERS = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"];
  function kbLayout(kind) {
    if (kind === "numeric") return [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], ["0"]];
    if (kind === "date") return [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], ["/", "0"]];
    if (kind === "time") return [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], [":", "0"]];
    const rows = LETTERS.map((r) => r.split(""));
    if (kind === "email") rows[3] = rows[3].concat(["@", ".", "-", "_"]);
    else if (kind === "upper") rows[3] = rows[3].concat(["-"]);
    else rows[3] = rows[3].concat([",", ".", "/"]);
    return rows;
  }
  function buildKeyboard() {
    const kb = $("keyboard");
    const kind = (kbTarget && kbTarget.dataset.kb) || "text";
    const numeric = ["numeric", "date", "time"].includes(kind);
    const upper = kind === "upper" || kbShift;
    let html = "";
    kbLayout(kind).forEach((row) => {
      html += '<div class="kb-row">' + row.map((k) => {
        const shown = upper && !numeric ? k.toUpperCase() : k;
        return `<button type="button" class="key" data-key="${esc(shown)}">${esc(shown)}</button>`;
      }).join("") + "</div>";
    });
    html += '<div class="kb-row">';
    if (!numeric) {
      html += `<button type="button" class="key wide" data-action="shift" aria-pressed="${kbShift}">${esc(t("kbShift"))}</button>`;
      html += `<button type="button" class="key wide" data-key=" ">${esc(t("kbSpace"))}</button>`;
      if (kind === "text") html += `<button type="button" class="key wide" data-action="method">${esc(t("kbMethod") + (kbMethod === "telex" ? "Telex" : kbMethod === "vni" ? "VNI" : "ABC"))}</button>`;
    }
    html += `<button type="button" class="key wide" data-action="back">${esc(t("kbBack"))}</button>`;
    html += `<button type="button" class="key wide" data-action="close">${esc(t("kbClose"))}</button></div>`;
    kb.innerHTML = html;
  }
  function showKeyboard(input) { kbTarget = input; buildKeyboard(); $("keyboard").hidden = false; document.body.classList.add("kb-open"); }
  function hideKeyboard() { $("keyboard").hidden = true; kbTarget = null; document.body.classList.remove("kb-open"); }
  function press(key) {
    const input = kbTarget;
    if (!input) return;
    const max = Number(input.getAttribute("maxlength")) || 500;
    const method = (input.dataset.kb || "text") === "text" ? kbMethod : "off";
    const next = VnKeys.type(input.value, key, method);
    if (next.length <= max) input.value = next;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }
  $("keyboard").addEventListener("mousedown", (e) => e.preventDefault()); // keep the focus in the field
  $("keyboard").addEventListener("click", (e) => {
    const b = e.target.closest("button");
    if (!b || !kbTarget) return;
    if (b.dataset.key !== undefined) press(b.dataset.key);
    else if (b.dataset.action === "back") { kbTarget.value = kbTarget.value.slice(0, -1); }
    else if (b.dataset.action === "shift") { kbShift = !kbShift; buildKeyboard(); }
    else if (b.dataset.action === "method") { kbMethod = kbMethod === "telex" ? "vni" : kbMethod === "vni" ? "off" : "telex"; buildKeyboard(); }
    else if (b.dataset.action === "close") { const el = kbTarget; hideKeyboard(); el.blur(); }
    if (kbShift && b.dataset.key !== undefined && b.dataset.key !== " ") { kbShift = false; buildKeyboard(); }
  });
  // The keyboard opens when a field is touched (a physical keyboard or a script focusing a field does not need it)
  // and closes when anything else outside it gets the focus.
  const isTextField = (el) => el && el.tagName === "INPUT" && ["text", "tel"].includes(el.type) && !el.readOnly;
  document.addEventListener("pointerup", (e) => { if (isTextField(e.target)) showKeyboard(e.target); });
  document.addEventListener("focusin", (e) => {
    const el = e.target;
    if (isTextField(el)) { if (kbTarget && kbTarget !== el) showKeyboard(el); }
    else if (!$("keyboard").contains(el)) hideKeyboard();
  });

  // ---------- idle timeout: a warning with 40 s to continue ----------
  const WARN_SECONDS = 40;
  let idleSeconds = 180, idleTimer = null, countdown = null, lastTouch = 0;
  function resetIdle() {
    clearTimeout(idleTimer);
    if (!last || !last.active) return;
    const warnAfter = Math.max(5, idleSeconds - WARN_SECONDS - 5);
    idleTimer = setTimeout(showIdleWarning, warnAfter * 1000);
  }
  function showIdleWarning() {
    let left = WARN_SECONDS;
    const text = () => { $("idle-text").textContent = t("idleText").replace("{s}", String(left)); };
    text();
    $("idle-warning").hidden = false;
    speak("idleTitle");
    $("btn-idle-continue").focus();
    clearInterval(countdown);
    countdown = setInterval(async () => {
      left -= 1;
      if (left > 0) { if (left % 5 === 0 || left <= 10) text(); return; }
      hideIdleWarning();
      await api("POST", "/api/session/end");
      wipe();
      refresh();
    }, 1000);
  }
  function hideIdleWarning() { clearInterval(countdown); countdown = null; $("idle-warning").hidden = true; }
  function activity() {
    if (!last || !last.active) return;
    if ($("idle-warning").hidden) resetIdle();
    const now = Date.now();
    if (now - lastTouch > 3000) { lastTouch = now; fetch("/api/session/touch", { method: "POST" }); }
  }
  document.addEventListener("pointerdown", activity);
  document.addEventListener("keydown", activity);
  $("btn-idle-continue").addEventListener("click", () => { hideIdleWarning(); lastTouch = 0; activity(); resetIdle(); });

  // ---------- device events ----------
  let statusTimer = null;
  function deviceStatus(key) {
    $("device-status").textContent = t(key);
    clearTimeout(statusTimer);
    statusTimer = setTimeout(() => { $("device-status").textContent = ""; }, 8000);
  }

  // ---------- wiring ----------
  $("lang").addEventListener("click", async () => {
    if (lang === "vi") await loadEnglish();
    lang = lang === "vi" ? "en" : "vi";
    applyLanguage();
  });
  $("speech").addEventListener("click", () => {
    speechOn = !speechOn;
    $("speech").setAttribute("aria-pressed", String(speechOn));
    spokenStep = null;
    if (speechOn && last) render(last); else audio.pause();
  });
  $("contrast").addEventListener("click", () => {
    const on = document.body.classList.toggle("hc");
    $("contrast").setAttribute("aria-pressed", String(on));
  });
  document.querySelectorAll("button[data-service]").forEach((b) => b.addEventListener("click", async () => {
    wipe();
    const r = await api("POST", "/api/session/start", { language: lang, service: b.dataset.service });
    render(r.data); resetIdle();
  }));
  $("btn-lookup").addEventListener("click", () => { wipe(); uiStep = "lookup"; render(last || { step: "idle", active: false }); $("lookupCode").focus(); });
  document.querySelectorAll(".btn-home").forEach((b) => b.addEventListener("click", () => { wipe(); refresh(); }));
  $("btn-consent").addEventListener("click", async () => { render((await api("POST", "/api/session/consent", { accepted: true })).data); });
  $("btn-decline").addEventListener("click", async () => { wipe(); render((await api("POST", "/api/session/consent", { accepted: false })).data); });
  $("btn-fp-agree").addEventListener("click", async () => { render((await api("POST", "/api/session/fingerprint-consent", { accepted: true })).data); });
  $("btn-fp-decline").addEventListener("click", async () => { render((await api("POST", "/api/session/fingerprint-consent", { accepted: false })).data); });
  document.querySelectorAll(".btn-end").forEach((b) => b.addEventListener("click", async () => { wipe(); render((await api("POST", "/api/session/end")).data); }));
  $("provinceCode").addEventListener("change", () => fillWards());
  $("guestToggle").addEventListener("change", () => last && applyFormVisibility(last));
  $("relationshipToHead").addEventListener("change", () => last && applyFormVisibility(last));
  document.querySelectorAll("input[name=level]").forEach((r) => r.addEventListener("change", () => last && applyFormVisibility(last)));
  $("btn-add-member").addEventListener("click", addMember);

  $("form").addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!last || !last.service) return;
    clearErrors();
    hideKeyboard();
    const r = await api("POST", "/api/session/submit/" + last.service, body(last.service));
    if (r.status === 400) { showErrors(r.data.messages || pick(r.data.errors, r.data.errorsEn)); return; }
    if (r.status === 200) { clearForm(); render(r.data); } else { refresh(); }
  });

  // ---------- dossier lookup: this kiosk first (works offline, knows its own references), then the portal ----------
  // What was typed or scanned: a dossier code (LT-20261126-000001), the receipt's QR payload (the code, or a text that
  // ends with it after "/", "=" or ":"), or the 8-character reference printed on the receipt.
  function parseLookup(text) {
    let v = (text || "").trim().toUpperCase();
    const cut = Math.max(v.lastIndexOf("/"), v.lastIndexOf("="), v.lastIndexOf(":"));
    if (cut >= 0) v = v.slice(cut + 1);
    if (/^[A-Z]{2}-\d{8}-\d{6}$/.test(v)) return { code: v };
    if (/^[0-9A-F]{8}$/.test(v)) return { reference: v };
    return null;
  }
  // Status words from the resource files: the portal's lifecycle code, or where the dossier is while it has none.
  function statusKey(portalStatus, state) {
    if (portalStatus != null) return has("dossierStatus." + portalStatus) ? "dossierStatus." + portalStatus : "dossierStatus.unknown";
    if (state === "saved") return "lookup.atKiosk";
    if (state === "dead-letter") return "lookup.atKioskProblem";
    return "dossierStatus.unknown";
  }
  function showLookup(found) {
    // Labels carry data-i18n: the language switch translates a result already on screen.
    const label = (key) => `<span data-i18n="${key}">${esc(t(key))}</span>`;
    const whenKey = found.local ? "lookup.filedAt" : "receivedAt";
    $("lookup-result").innerHTML = `<p class="big">${esc(found.title)}</p>` +
      (found.reference ? `<p>${label("lookup.reference")}${esc(found.reference)}</p>` : "") +
      `<p>${label("status")}<strong id="lookup-status" data-i18n="${found.key}">${esc(t(found.key))}</strong></p>` +
      (found.at ? `<p>${label(whenKey)}${esc(fmtDate(found.at))}</p>` : "");
    $("lookup-result").hidden = false;
  }
  function lookupFailed(key) {
    $("lookup-error").dataset.msg = key;   // translated again by the language switch
    $("lookup-error").textContent = t(key);
    $("lookupCode").setAttribute("aria-invalid", "true");
  }
  $("lookup-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    hideKeyboard();
    $("lookup-error").textContent = ""; delete $("lookup-error").dataset.msg;
    $("lookup-result").hidden = true; $("lookupCode").removeAttribute("aria-invalid");
    const q = parseLookup(val("lookupCode"));
    if (!q) { lookupFailed("lookup.badCode"); measureShown("lookup-result"); triggerAt = 0; dataAt = 0; return; }
    const local = await api("GET", "/api/dossiers/" + encodeURIComponent(q.code || q.reference));
    if (local.status === 200) {
      const d = local.data;
      showLookup({ local: true, title: d.dossierCode || d.localReference, reference: d.localReference, at: d.createdAt, key: statusKey(d.portalStatus, d.state) });
    } else if (q.reference) {
      lookupFailed("lookup.referenceNotFound");   // a reference is known to the kiosk that printed it only
    } else {
      const r = await api("GET", "/api/lookup/" + encodeURIComponent(q.code));
      if (r.status === 200) showLookup({ local: false, title: r.data.code, at: r.data.receivedAt, key: statusKey(r.data.status, null) });
      else lookupFailed(r.data.messageKey && has(r.data.messageKey) ? r.data.messageKey : r.status === 404 ? "lookup.notFound" : "lookup.unavailable");
    }
    measureShown("lookup-result"); triggerAt = 0; dataAt = 0;
  });

  const events = new EventSource("/api/events");
  events.addEventListener("session", (e) => {
    trigger();
    const d = JSON.parse(e.data);
    if (!d.active) { if (last && last.active) { wipe(); deviceStatus("ev.ended"); } }
    else if (d.step === "submitting") deviceStatus("ev.printing");
    refresh();
  });
  events.addEventListener("card", (e) => { trigger(); const d = JSON.parse(e.data); deviceStatus(d.present ? "ev.cardIn" : "ev.cardOut"); refresh(); });
  events.addEventListener("finger", (e) => { if (JSON.parse(e.data).present) deviceStatus("ev.finger"); });
  events.addEventListener("printer", (e) => {
    const d = JSON.parse(e.data);
    deviceStatus(d.paper === "out" ? "ev.paperOut" : d.paper === "near-end" ? "ev.paperLow" : "ev.printerOk");
  });

  // A page restored from the back/forward cache must not show an old session.
  window.addEventListener("pageshow", (e) => { if (e.persisted) { wipe(); location.replace("/"); } });
  history.replaceState(null, "", "/");

  // The English texts are needed only after a touch on the language switch: fetched once the first screen is ready.
  let english = null;
  function loadEnglish() {
    if (!english) english = api("GET", "i18n/en.json").then((r) => { if (r.status === 200) dict.en = r.data; else english = null; }, () => { english = null; });
    return english;
  }

  function inlineJson(id) {
    const el = $(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (_) { return null; }
  }

  (async function init() {
    // The host inlines i18n/vi.json and the start-up data in the page (ResidentPage): no fetch before the first screen
    // but the session's, which the page's head started already. The fetches below are the fallback for a plain page.
    dict.vi = inlineJson("i18n-vi") || (await api("GET", "i18n/vi.json")).data || {};
    const start = inlineJson("kiosk-start") || {
      catalogue: (await api("GET", "/api/services")).data, provinces: (await api("GET", "/api/places")).data
    };
    catalog = start.catalogue || catalog;
    provinces = start.provinces || [];
    idleSeconds = catalog.idleSeconds || 180;
    buildChoices();
    fillProvinces();
    applyLanguage();
    const early = window.kioskSession ? await window.kioskSession : null;
    window.kioskSession = null;
    if (early) { dataAt = performance.now(); await showSession(early); } else await refresh();
    window.kioskCard = null;
    resetIdle();
    document.body.dataset.ready = "true";
    performance.mark("kiosk:ready");
    setTimeout(loadEnglish, 0);
  })();
})();
