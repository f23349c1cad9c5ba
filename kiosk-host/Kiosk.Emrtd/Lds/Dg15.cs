namespace Kiosk.Emrtd.Lds;

/// <summary>DG15: 6F { SubjectPublicKeyInfo }, the active-authentication public key (RSA or EC).</summary>
public static class Dg15
{
    public static SubjectPublicKey Parse(ReadOnlySpan<byte> file) => SubjectPublicKey.Parse(Asn.Unwrap(file, DataGroups.Tag(15), "DG15"));
}
