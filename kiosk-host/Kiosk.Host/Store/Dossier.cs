using LiteDB;

namespace Kiosk.Host.Store;

/// <summary>Saved: waiting in the outbox. Delivered: the portal gave a code. DeadLetter: the portal refused it (4xx); a
/// technician must look at it, it is not retried.</summary>
public enum DossierState { Saved, Delivered, DeadLetter }

/// <summary>The resident's consent to reading the chip for this filing.</summary>
public sealed class ConsentRecord
{
    public string Purpose { get; set; } = "";
    public DateTime GivenAt { get; set; }
    public string Language { get; set; } = "vi";
}

/// <summary>
/// A filing saved at the kiosk. <see cref="Id"/> is a random GUID that doubles as the portal idempotency key (no
/// personal data in it). Holds personal data: lives only in the encrypted store. Never biometrics.
/// </summary>
public sealed class Dossier
{
    [BsonId] public Guid Id { get; set; }
    public string Procedure { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    /// <summary>The form as the portal receives it (JSON object text).</summary>
    public string FormJson { get; set; } = "{}";
    public ConsentRecord Consent { get; set; } = new();
    /// <summary>
    /// The card's verification record (trust outcome and reasons, passive/chip/active authentication, SOD digest and
    /// hash, document signer): no personal data, no biometrics; also in <see cref="FormJson"/>. Null on dossiers saved
    /// before issue 9.
    /// </summary>
    public Kiosk.Host.Card.CardVerification? Verification { get; set; }
    public DossierState State { get; set; }
    public string? PortalCode { get; set; }
    public int? PortalStatus { get; set; }
    public DateTime? DeliveredAt { get; set; }
    /// <summary>When the portal status was last asked for (status pull-back).</summary>
    public DateTime? StatusCheckedAt { get; set; }
    /// <summary>When retention erased the personal data (the form); the skeleton stays for technicians.</summary>
    public DateTime? PersonalDataErasedAt { get; set; }
    /// <summary>Why the portal refused it (e.g. <c>HTTP 403 kiosk-id-mismatch</c>; no personal data), when dead-lettered.</summary>
    public string? DeadLetterReason { get; set; }
    /// <summary>
    /// VNeID level 1 only: false when the chip's face image travelled with the delivery, true when it did not (it is
    /// held in memory only and a restart loses it) and staff must take the face image at the counter; null otherwise.
    /// </summary>
    public bool? FaceImageAtCounter { get; set; }
}

/// <summary>One pending delivery to the portal, written in the same transaction as its dossier.</summary>
public sealed class OutboxEntry
{
    [BsonId] public Guid Id { get; set; }
    public Guid DossierId { get; set; }
    /// <summary>The exact request body sent to the portal (same bytes on every retry).</summary>
    public string Body { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public int Attempts { get; set; }
    public DateTime NextAttemptAt { get; set; }
    public string? LastError { get; set; }
    /// <summary>The relay that claimed this entry (null when free). A claim is written in a transaction.</summary>
    public string? LeaseOwner { get; set; }
    /// <summary>When the claim lapses; another relay may take the entry after this.</summary>
    public DateTime? LeaseExpiresAt { get; set; }
    /// <summary>Set when the portal refused the entry (4xx other than 408/409/429): never retried automatically.</summary>
    public DateTime? DeadLetteredAt { get; set; }
    /// <summary>
    /// The portal expects the chip's face image with this dossier (VNeID level 1). The image itself is never stored: the
    /// relay attaches it from memory (<c>Sync.FaceAttachments</c>) or, when it is gone, marks it "take at the counter".
    /// </summary>
    public bool ExpectsFaceImage { get; set; }
}
