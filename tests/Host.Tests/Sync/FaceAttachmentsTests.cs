using System.Text;
using System.Text.Json;
using Kiosk.Host.Sync;

namespace Kiosk.Host.Tests.Sync;

/// <summary>The in-memory face-image holder and the request body the relay builds with it.</summary>
public sealed class FaceAttachmentsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);
    private static byte[] Jpeg(int length = 600, byte fill = 0x42) => [0xFF, 0xD8, 0xFF, 0xE0, .. Enumerable.Repeat(fill, length - 6), 0xFF, 0xD9];

    /// <summary>The holder's own array for the dossier (to watch it being zeroed), taken inside the holder's lock.</summary>
    private static byte[]? HeldArray(FaceAttachments faces, Guid id) => faces.Use(id, held => held?.Image);

    [Fact]
    public void Holds_its_own_copy_and_zeroes_it_when_removed()
    {
        var faces = new FaceAttachments(new ManualClock(T0));
        var id = Guid.NewGuid();
        var image = Jpeg();
        Assert.True(faces.Put(id, FaceAttachments.Jpeg, image));
        image[10] = 0; // the caller's array is not the held one
        var held = HeldArray(faces, id)!;
        Assert.Equal(0x42, held[10]);
        Assert.True(faces.Holds(id));

        Assert.True(faces.Remove(id));
        Assert.All(held, b => Assert.Equal(0, b));
        Assert.False(faces.Holds(id));
        Assert.False(faces.Remove(id));
        Assert.Equal(0, faces.Count);
    }

    [Fact]
    public void An_image_older_than_the_maximum_age_is_dropped_and_zeroed()
    {
        var clock = new ManualClock(T0);
        var faces = new FaceAttachments(clock) { MaxAge = TimeSpan.FromMinutes(30) };
        var old = Guid.NewGuid();
        faces.Put(old, FaceAttachments.Jpeg, Jpeg());
        var held = HeldArray(faces, old)!;
        clock.Advance(TimeSpan.FromMinutes(20));
        var newer = Guid.NewGuid();
        faces.Put(newer, FaceAttachments.Jpeg2000, [0xFF, 0x4F, 0xFF, 0x51, 1, 2, 3]);
        Assert.True(faces.Holds(old));

        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.False(faces.Holds(old));
        Assert.All(held, b => Assert.Equal(0, b));
        Assert.True(faces.Holds(newer));
        Assert.Equal(1, faces.Count);
    }

    [Fact]
    public void At_most_max_images_are_held_the_oldest_goes_first()
    {
        var clock = new ManualClock(T0);
        var faces = new FaceAttachments(clock) { MaxImages = 3 };
        var ids = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in ids)
        {
            faces.Put(id, FaceAttachments.Jpeg, Jpeg());
            clock.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal(3, faces.Count);
        Assert.False(faces.Holds(ids[0]));
        Assert.All(ids.Skip(1), id => Assert.True(faces.Holds(id)));
    }

    [Fact]
    public void Refuses_what_is_not_a_face_image_it_can_send()
    {
        var faces = new FaceAttachments(new ManualClock(T0));
        Assert.False(faces.Put(Guid.NewGuid(), "png", Jpeg()));
        Assert.False(faces.Put(Guid.NewGuid(), FaceAttachments.Jpeg, []));
        Assert.False(faces.Put(Guid.NewGuid(), FaceAttachments.Jpeg, Jpeg(FaceAttachments.MaxImageBytes + 1)));
        Assert.False(faces.Put(Guid.NewGuid(), FaceAttachments.Jpeg, new byte[600])); // zeroed or not a JPEG
        Assert.False(faces.Put(Guid.NewGuid(), FaceAttachments.Jpeg2000, Jpeg())); // a JPEG is not a JPEG 2000
        Assert.Equal(0, faces.Count);
        Assert.True(faces.Put(Guid.NewGuid(), FaceAttachments.Jpeg, Jpeg(FaceAttachments.MaxImageBytes)));
    }

    [Fact]
    public void The_request_body_is_the_stored_body_plus_attachments_with_the_image_or_the_counter_mark()
    {
        const string stored = "{\"procedure\":\"ho-tro-vneid\",\"kioskId\":\"k1\",\"form\":{\"level\":1,\"phone\":\"0912345678\"}}";
        var image = Jpeg(1000, 0x37);

        using var with = JsonDocument.Parse(FaceImageBody.Compose(stored, new FaceAttachment(FaceAttachments.Jpeg, image, T0)));
        Assert.Equal("ho-tro-vneid", with.RootElement.GetProperty("procedure").GetString());
        Assert.Equal("0912345678", with.RootElement.GetProperty("form").GetProperty("phone").GetString());
        var face = with.RootElement.GetProperty("attachments").GetProperty("faceImage");
        Assert.Equal("jpeg", face.GetProperty("format").GetString());
        Assert.Equal(image, face.GetProperty("data").GetBytesFromBase64());

        using var without = JsonDocument.Parse(FaceImageBody.Compose(stored + "\n", null));
        Assert.Equal(JsonValueKind.Null, without.RootElement.GetProperty("attachments").GetProperty("faceImage").ValueKind);
        Assert.True(without.RootElement.GetProperty("attachments").GetProperty("faceImageAtCounter").GetBoolean());
        // Apart from attachments, the body is the stored one byte for byte.
        Assert.StartsWith(stored[..^1], Encoding.UTF8.GetString(FaceImageBody.Compose(stored, null)));

        using var empty = JsonDocument.Parse(FaceImageBody.Compose("{}", null));
        Assert.True(empty.RootElement.TryGetProperty("attachments", out _));
        Assert.Throws<FormatException>(() => FaceImageBody.Compose("[1]", null));
        Assert.Throws<FormatException>(() => FaceImageBody.Compose("", null));
    }
}
