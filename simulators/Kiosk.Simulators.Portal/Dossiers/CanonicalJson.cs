using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Kiosk.Simulators.Portal.Dossiers;

/// <summary>Canonical form of a JSON body (object keys sorted ordinally, no whitespace) and its SHA-256.</summary>
public static class CanonicalJson
{
    public static string Sha256Hex(JsonElement element)
    {
        var bytes = Canonicalize(element);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    public static byte[] Canonicalize(JsonElement element) => Canonicalize(element, null);

    /// <summary>The canonical form without the top-level member <paramref name="leaveOut"/> (when the element is an object).</summary>
    public static byte[] Canonicalize(JsonElement element, string? leaveOut)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            if (leaveOut is null || element.ValueKind != JsonValueKind.Object) Write(writer, element);
            else
            {
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().Where(p => p.Name != leaveOut).OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }
                writer.WriteEndObject();
            }
        }
        return stream.ToArray();
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray()) Write(writer, item);
                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
