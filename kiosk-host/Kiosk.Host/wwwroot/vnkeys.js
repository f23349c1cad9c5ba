// Vietnamese input for the on-screen keyboard: Telex and VNI as pure functions (no DOM), testable on their own.
// VnKeys.type(text, key, "telex"|"vni") returns the text after the key press; only the last word is transformed.
(function (root) {
  "use strict";
  var TONED = {
    a: "aáàảãạ", "ă": "ăắằẳẵặ", "â": "âấầẩẫậ", e: "eéèẻẽẹ", "ê": "êếềểễệ", i: "iíìỉĩị",
    o: "oóòỏõọ", "ô": "ôốồổỗộ", "ơ": "ơớờởỡợ", u: "uúùủũụ", "ư": "ưứừửữự", y: "yýỳỷỹỵ"
  };
  var BASE = {}; // toned char -> [base, tone]
  Object.keys(TONED).forEach(function (b) {
    for (var t = 0; t < 6; t++) {
      BASE[TONED[b][t]] = [b, t];
      BASE[TONED[b][t].toUpperCase()] = [b.toUpperCase(), t];
    }
  });
  var TELEX_TONES = { s: 1, f: 2, r: 3, x: 4, j: 5, z: 0 };
  var VNI_TONES = { "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "0": 0 };

  function isVowel(c) { return !!BASE[c]; }
  function lower(c) { return c.toLowerCase(); }
  function withCase(src, c) { return src === src.toUpperCase() && src !== src.toLowerCase() ? c.toUpperCase() : c; }

  // Splits a word into letters without tone and the tone (0..5).
  function strip(word) {
    var tone = 0, letters = [];
    for (var i = 0; i < word.length; i++) {
      var b = BASE[word[i]];
      if (b) { if (b[1]) tone = b[1]; letters.push(b[0]); } else letters.push(word[i]);
    }
    return { letters: letters, tone: tone };
  }

  // Index of the letter that carries the tone (modern rule: oà → oà, hoà, thuý; ươ → ơ; shaped vowels first).
  function tonePosition(letters) {
    var v = [];
    for (var i = 0; i < letters.length; i++) {
      var c = lower(letters[i]);
      if (!isVowel(c)) continue;
      if (c === "u" && i > 0 && lower(letters[i - 1]) === "q") continue; // qu
      if (c === "i" && i > 0 && lower(letters[i - 1]) === "g" && i + 1 < letters.length && isVowel(lower(letters[i + 1]))) continue; // gi
      v.push(i);
    }
    if (v.length === 0) return -1;
    for (var k = v.length - 1; k >= 0; k--) if ("ăâêôơư".indexOf(lower(letters[v[k]])) >= 0) return v[k];
    if (v.length === 1) return v[0];
    var last = v[v.length - 1];
    var endsWithConsonant = last < letters.length - 1;
    if (v.length >= 3) return v[1];
    if (endsWithConsonant) return last;
    var pair = lower(letters[v[0]]) + lower(letters[last]);
    return pair === "oa" || pair === "oe" || pair === "uy" ? last : v[0];
  }

  function build(letters, tone) {
    var p = tonePosition(letters);
    var out = letters.slice();
    if (p >= 0 && tone) {
      var c = out[p], b = lower(c);
      out[p] = withCase(c, TONED[b][tone]);
    }
    return out.join("");
  }

  var SHAPES_TELEX = { a: { a: "â" }, e: { e: "ê" }, o: { o: "ô" }, w: { a: "ă", o: "ơ", u: "ư" }, d: { d: "đ" } };
  var SHAPES_VNI = { "6": { a: "â", e: "ê", o: "ô" }, "7": { o: "ơ", u: "ư" }, "8": { a: "ă" }, "9": { d: "đ" } };

  // Applies one key to one word; returns null when the key is a plain letter for this word.
  function compose(word, key, method) {
    var k = lower(key);
    var tones = method === "vni" ? VNI_TONES : TELEX_TONES;
    var shapes = method === "vni" ? SHAPES_VNI : SHAPES_TELEX;
    var s = strip(word);
    var hasVowel = s.letters.some(function (c) { return isVowel(lower(c)); });
    if (k in tones && hasVowel) {
      if (tones[k] === s.tone && tones[k] !== 0) return build(s.letters, 0) + key; // pressed twice: undo
      if (tones[k] === 0 && s.tone === 0) return null;
      return build(s.letters, tones[k]);
    }
    var map = shapes[k];
    if (map) {
      // ư + ơ together: "uo" + w / 7 → ươ
      for (var i = s.letters.length - 1; i >= 0; i--) {
        var c = lower(s.letters[i]);
        if (map[c]) {
          if (method === "telex" && k !== "w" && k !== c) continue;
          if (method === "telex" && k === "d" && i !== 0) continue;
          var L = s.letters.slice();
          L[i] = withCase(s.letters[i], map[c]);
          if ((k === "w" || k === "7") && c === "o" && i > 0 && lower(L[i - 1]) === "u") L[i - 1] = withCase(L[i - 1], "ư");
          return build(L, s.tone);
        }
        if (method === "telex" && k !== "w" && isVowel(c)) break; // aa / ee / oo only on the last vowel
      }
    }
    return null;
  }

  function type(text, key, method) {
    var m = /[A-Za-zÀ-ỹĐđ]+$/.exec(text);
    if (!m || key.length !== 1 || method === "off") return text + key;
    var composed = compose(m[0], key, method);
    return composed === null ? text + key : text.slice(0, m.index) + composed;
  }

  function typeAll(keys, method) { var t = ""; for (var i = 0; i < keys.length; i++) t = type(t, keys[i], method); return t; }

  root.VnKeys = { type: type, typeAll: typeAll, compose: compose };
})(typeof window !== "undefined" ? window : globalThis);
