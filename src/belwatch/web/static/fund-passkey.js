// The fund's passkey page: asks the server for a challenge, lets the browser make or use a
// passkey for it, and sends the answer back. The server checks everything; this only
// turns its JSON into the ArrayBuffers navigator.credentials speaks, and back.
(function () {
  "use strict";
  var holder = document.getElementById("passkey");
  var status = document.getElementById("passkey-status");
  if (!holder || !status) return;
  var useButton = document.getElementById("passkey-use");
  var addForm = document.getElementById("passkey-add-form");

  function say(text, failed) {
    status.textContent = text;
    status.className = failed ? "error" : "";
  }

  if (!window.PublicKeyCredential || !navigator.credentials) {
    say("This browser cannot use passkeys here (it needs a secure connection and passkey support).", true);
    return;
  }

  function toBuffer(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    base64 += "===".slice((base64.length + 3) % 4);
    var raw = atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) return null;
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (d) {
      return { type: d.type, id: toBuffer(d.id), transports: d.transports };
    });
  }

  function post(path, body) {
    return fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.detail || "the fund refused (" + response.status + ")");
        return data;
      });
    });
  }

  function common(credential) {
    return {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults()
    };
  }

  function add(label) {
    say("Asking for a new passkey…");
    return post("/fund/mfa/webauthn/register/begin").then(function (options) {
      options.challenge = toBuffer(options.challenge);
      options.user.id = toBuffer(options.user.id);
      options.excludeCredentials = descriptors(options.excludeCredentials);
      return navigator.credentials.create({ publicKey: options });
    }).then(function (credential) {
      var answer = common(credential);
      answer.response = {
        clientDataJSON: toText(credential.response.clientDataJSON),
        attestationObject: toText(credential.response.attestationObject),
        transports: credential.response.getTransports ? credential.response.getTransports() : []
      };
      return post("/fund/mfa/webauthn/register/finish", { credential: answer, label: label });
    });
  }

  function use() {
    say("Asking for your passkey…");
    return post("/fund/mfa/webauthn/authenticate/begin").then(function (options) {
      options.challenge = toBuffer(options.challenge);
      options.allowCredentials = descriptors(options.allowCredentials);
      return navigator.credentials.get({ publicKey: options });
    }).then(function (credential) {
      var answer = common(credential);
      answer.response = {
        clientDataJSON: toText(credential.response.clientDataJSON),
        authenticatorData: toText(credential.response.authenticatorData),
        signature: toText(credential.response.signature),
        userHandle: toText(credential.response.userHandle)
      };
      return post("/fund/mfa/webauthn/authenticate/finish", { credential: answer });
    });
  }

  function run(ceremony, button, done) {
    button.disabled = true;
    ceremony().then(function () {
      say(done);
      window.location.assign(holder.getAttribute("data-next") || "/fund");
    }, function (error) {
      button.disabled = false;
      var cancelled = error && error.name === "NotAllowedError";
      say(cancelled ? "No passkey was given (cancelled or timed out). Try again."
        : "Not done: " + (error && error.message ? error.message : error), true);
    });
  }

  if (useButton) {
    useButton.addEventListener("click", function () {
      run(use, useButton, "Passkey accepted.");
    });
  }
  if (addForm) {
    addForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var label = document.getElementById("passkey-label").value;
      run(function () { return add(label); }, document.getElementById("passkey-add"),
        "Passkey added.");
    });
  }
})();
