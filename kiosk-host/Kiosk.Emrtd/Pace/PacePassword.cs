using System.Security.Cryptography;
using System.Text;
using Kiosk.Emrtd.Crypto;

namespace Kiosk.Emrtd.Pace;

/// <summary>The password reference of MSE:Set AT tag 83 (Part 11 §9.5.1).</summary>
public enum PacePasswordType : byte
{
    Mrz = 0x01,
    Can = 0x02,
}

/// <summary>
/// A PACE password as the key derivation uses it (Part 11 §9.7.3): the CAN as its ASCII digits, or for the MRZ
/// SHA-1(MRZ information). On a Vietnamese CCCD the CAN is the last 6 digits of the 12-digit ID number.
/// </summary>
public sealed class PacePassword
{
    private readonly byte[] encoded;

    private PacePassword(PacePasswordType type, byte[] encoded)
    {
        Type = type;
        this.encoded = encoded;
    }

    public PacePasswordType Type { get; }

    public static PacePassword FromCan(string can)
    {
        if (can.Length == 0 || !can.All(char.IsAsciiDigit)) throw new MalformedDataException("[PACE] a CAN is made of digits only");
        return new PacePassword(PacePasswordType.Can, Encoding.ASCII.GetBytes(can));
    }

    /// <summary>From the MRZ information (see <see cref="Bac.MrzInformation.Build"/>).</summary>
    public static PacePassword FromMrzInformation(string mrzInformation) =>
        new(PacePasswordType.Mrz, SHA1.HashData(Encoding.ASCII.GetBytes(mrzInformation)));

    /// <summary>K_π = KDF(password, 3) for the PACE cipher.</summary>
    public byte[] DeriveKeyPi(CipherKind cipher) => KeyDerivation.Derive(encoded, KeyDerivation.PasswordCounter, cipher);

    public override string ToString() => $"PacePassword {{ Type = {Type} }}";
}
