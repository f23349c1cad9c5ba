using System.Buffers.Text;
using System.Text;

namespace Kiosk.Host.Sync;

/// <summary>One face image waiting for its dossier's delivery: the encoded bytes (owned by the holder) and their format.</summary>
public sealed record FaceAttachment(string Format, byte[] Image, DateTimeOffset HeldSince);

/// <summary>
/// The chip's face image (DG2) of a VNeID level-1 dossier, held in memory only until the relay delivers the dossier:
/// biometric data is never written to the store or to disk. Keyed by the dossier id. The holder keeps its own copy of
/// the bytes and zeroes it when the image goes: after delivery, after a refusal, when it is older than
/// <see cref="MaxAge"/>, or when <see cref="MaxImages"/> are held and a newer one comes. A host restart loses every
/// image; the relay then delivers the dossier without it, marked "take the face image at the counter".
/// </summary>
public sealed class FaceAttachments(TimeProvider clock)
{
    public const string Jpeg = "jpeg";
    public const string Jpeg2000 = "jp2";
    /// <summary>A DG2 face image is some 10–30 KB; anything larger is not one (the portal has the same cap).</summary>
    public const int MaxImageBytes = 128 * 1024;

    private readonly Dictionary<Guid, FaceAttachment> _held = [];
    private readonly Lock _gate = new();

    /// <summary>How long an undelivered image is kept (a long portal outage must not keep faces in memory for days).</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromHours(1);

    /// <summary>At most this many images at once (the oldest goes first).</summary>
    public int MaxImages { get; init; } = 50;

    public int Count { get { lock (_gate) { DropExpired(); return _held.Count; } } }

    /// <summary>
    /// Holds a copy of <paramref name="image"/> for <paramref name="dossierId"/>. Returns false (and holds nothing) when
    /// the format is not JPEG or JPEG 2000, the bytes do not start like one (the portal would refuse the dossier), or the
    /// image is larger than <see cref="MaxImageBytes"/>.
    /// </summary>
    public bool Put(Guid dossierId, string format, ReadOnlySpan<byte> image)
    {
        if (!LooksLike(format, image) || image.Length > MaxImageBytes) return false;
        lock (_gate)
        {
            DropExpired();
            Remove(dossierId);
            while (_held.Count >= MaxImages)
                Remove(_held.MinBy(h => h.Value.HeldSince).Key);
            _held[dossierId] = new FaceAttachment(format, image.ToArray(), clock.GetUtcNow());
            return true;
        }
    }

    /// <summary>True when an image is held for <paramref name="dossierId"/> (and has not expired).</summary>
    public bool Holds(Guid dossierId) => Use(dossierId, held => held is not null);

    /// <summary>
    /// Runs <paramref name="use"/> with the held image (null when none is held or it expired) while no other call can
    /// zero it. <paramref name="use"/> must not keep the bytes: they are the holder's own and are zeroed on removal.
    /// </summary>
    public T Use<T>(Guid dossierId, Func<FaceAttachment?, T> use)
    {
        lock (_gate)
        {
            DropExpired();
            return use(_held.GetValueOrDefault(dossierId));
        }
    }

    /// <summary>Drops the image of <paramref name="dossierId"/> and zeroes its bytes. False when none was held.</summary>
    public bool Remove(Guid dossierId)
    {
        lock (_gate)
        {
            if (!_held.Remove(dossierId, out var held)) return false;
            Array.Clear(held.Image);
            return true;
        }
    }

    /// <summary>JPEG: starts FF D8 FF. JPEG 2000: the JP2 signature box or a J2K codestream (FF 4F FF 51).</summary>
    public static bool LooksLike(string format, ReadOnlySpan<byte> image) => format switch
    {
        Jpeg => image.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]),
        Jpeg2000 => image.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A])
            || image.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x4F, 0xFF, 0x51]),
        _ => false,
    };

    private void DropExpired()
    {
        var oldest = clock.GetUtcNow() - MaxAge;
        foreach (var (id, held) in _held.Where(h => h.Value.HeldSince <= oldest).ToList())
        {
            _held.Remove(id);
            Array.Clear(held.Image);
        }
    }
}

/// <summary>The request body the relay sends for a dossier that expects a face image.</summary>
public static class FaceImageBody
{
    /// <summary>
    /// <paramref name="storedBody"/> (a JSON object, exactly as stored) with a top-level <c>attachments</c> member:
    /// <c>{"faceImage":{"format":"jpeg","data":"BASE64"}}</c>, or, without an image,
    /// <c>{"faceImage":null,"faceImageAtCounter":true}</c>. The portal leaves <c>attachments</c> out of the idempotency
    /// comparison, so a retry without the image (after a restart) replays the first answer. The result is a fresh array
    /// the caller zeroes after sending; the image is base64-encoded straight into it (no string copy to linger).
    /// </summary>
    public static byte[] Compose(string storedBody, FaceAttachment? face)
    {
        var body = Encoding.UTF8.GetBytes(storedBody.Trim());
        if (body.Length < 2 || body[^1] != (byte)'}' || body[0] != (byte)'{')
            throw new FormatException("The stored dossier body is not a JSON object.");
        var open = body.AsSpan(0, body.Length - 1).TrimEnd(" \t\r\n"u8);
        var separator = open.Length == 1 ? ""u8 : ","u8;
        ReadOnlySpan<byte> head = face is null
            ? "\"attachments\":{\"faceImage\":null,\"faceImageAtCounter\":true}}"u8
            : "\"attachments\":{\"faceImage\":{\"format\":\""u8;
        var format = face is null ? [] : Encoding.ASCII.GetBytes(face.Format);
        ReadOnlySpan<byte> middle = face is null ? ""u8 : "\",\"data\":\""u8;
        ReadOnlySpan<byte> tail = face is null ? ""u8 : "\"}}}"u8;
        var imageLength = face is null ? 0 : Base64.GetMaxEncodedToUtf8Length(face.Image.Length);
        var result = new byte[open.Length + separator.Length + head.Length + format.Length + middle.Length + imageLength + tail.Length];
        var at = 0;
        foreach (var part in new[] { open.ToArray(), separator.ToArray(), head.ToArray(), format, middle.ToArray() })
        {
            part.CopyTo(result, at);
            at += part.Length;
        }
        if (face is not null)
        {
            Base64.EncodeToUtf8(face.Image, result.AsSpan(at), out _, out var written);
            at += written;
        }
        tail.CopyTo(result.AsSpan(at));
        return result;
    }
}
