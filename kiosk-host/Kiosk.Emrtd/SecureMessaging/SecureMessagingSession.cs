using System.Security.Cryptography;
using Kiosk.Emrtd.Crypto;
using Kiosk.Emrtd.Iso7816;

namespace Kiosk.Emrtd.SecureMessaging;

/// <summary>
/// ICAO 9303 Part 11 §9.8 secure messaging, both sides: the terminal wraps commands and unwraps responses, the card
/// (the virtual chip) unwraps commands and wraps responses. The send sequence counter is incremented before each
/// command is protected or checked and before each response is protected or checked, so one exchange uses two values.
/// A session is a small state machine (the SSC) over pure byte transformations; it is not thread-safe.
/// </summary>
public sealed class SecureMessagingSession
{
    private const int TagCryptogramWithPaddingIndicator = 0x87;
    private const int TagCryptogramOddIns = 0x85;
    private const int TagExpectedLength = 0x97;
    private const int TagProcessingStatus = 0x99;
    private const int TagChecksum = 0x8E;
    private const byte PaddingIndicator = 0x01;
    private const byte SecureMessagingClassBits = 0x0C;

    private readonly CipherKind cipher;
    private readonly byte[] encryptionKey;
    private readonly byte[] macKey;
    private readonly byte[] ssc;

    public SecureMessagingSession(SessionKeys keys)
    {
        cipher = keys.Cipher;
        encryptionKey = keys.Encryption.ToArray();
        macKey = keys.Mac.ToArray();
        if (keys.SendSequenceCounter.Length != cipher.BlockSize())
            throw new MalformedDataException($"[SecureMessaging] SSC of {keys.SendSequenceCounter.Length} bytes for a {cipher.BlockSize()}-byte block cipher");
        ssc = keys.SendSequenceCounter.ToArray();
    }

    public CipherKind Cipher => cipher;

    /// <summary>The current counter (a copy), for tests that follow the worked example step by step.</summary>
    public byte[] SendSequenceCounter => ssc.ToArray();

    /// <summary>Terminal: protects a plain command (DO87/DO85 for data, DO97 for Le, DO8E over the lot).</summary>
    public byte[] WrapCommand(CommandApdu plain)
    {
        IncrementCounter();
        byte cla = (byte)(plain.Cla | SecureMessagingClassBits);
        var dataObjects = new List<byte>();
        if (plain.Data.Length > 0) dataObjects.AddRange(EncryptToDataObject(plain.Data, oddInstruction: (plain.Ins & 1) == 1));
        if (plain.Ne > 0) dataObjects.AddRange(BerTlv.Encode(TagExpectedLength, EncodeLe(plain.Ne)));

        byte[] checksum = Mac([.. Padding.Pad([cla, plain.Ins, plain.P1, plain.P2], cipher.BlockSize()), .. dataObjects]);
        dataObjects.AddRange(BerTlv.Encode(TagChecksum, checksum));

        // The protected command always expects an answer: Le 00, or 0000 when anything needs extended length.
        bool extended = dataObjects.Count > 255 || plain.Ne > CommandApdu.MaxShortNe;
        int protectedNe = extended ? CommandApdu.MaxExtendedNe : CommandApdu.MaxShortNe;
        return new CommandApdu(cla, plain.Ins, plain.P1, plain.P2, dataObjects.ToArray(), protectedNe).Encode();
    }

    /// <summary>
    /// Terminal, pipelining: protects a command and takes the counter value its response will be checked with, so the
    /// next command can be protected before this response arrives. The card sees the same sequence as without
    /// pipelining (command, response, command, response…) as long as the commands reach it in the order they were
    /// wrapped; unwrap each response with its own slot.
    /// </summary>
    public byte[] WrapCommand(CommandApdu plain, out ResponseSlot slot)
    {
        byte[] command = WrapCommand(plain);
        IncrementCounter();
        slot = new ResponseSlot(ssc.ToArray());
        return command;
    }

    /// <summary>
    /// Terminal: checks and decrypts a protected response. A response without data objects and with an error status
    /// is returned as it is (cards answer SM errors such as 6987/6988 in plain); a wrong checksum throws
    /// <see cref="SecureMessagingException"/>.
    /// </summary>
    public ResponseApdu UnwrapResponse(ReadOnlySpan<byte> protectedResponse)
    {
        IncrementCounter();
        return UnwrapResponseAt(ssc, protectedResponse);
    }

    /// <summary>Terminal, pipelining: checks a response with the counter its command's slot reserved.</summary>
    public ResponseApdu UnwrapResponse(ResponseSlot slot, ReadOnlySpan<byte> protectedResponse) =>
        UnwrapResponseAt(slot.Counter ?? throw new ArgumentException("an empty slot", nameof(slot)), protectedResponse);

    private ResponseApdu UnwrapResponseAt(byte[] counter, ReadOnlySpan<byte> protectedResponse)
    {
        ResponseApdu response = ResponseApdu.Parse(protectedResponse);
        if (response.Data.Length == 0)
        {
            if (response.IsSuccess) throw new SecureMessagingException("[UnwrapResponse] 9000 without secure-messaging data objects");
            return response;
        }
        IReadOnlyList<Tlv> objects = BerTlv.ParseAll(response.Data);
        (Tlv? cryptogram, Tlv? status) = SplitAtChecksum(counter, objects, "UnwrapResponse");
        if (status is null) throw new SecureMessagingException("[UnwrapResponse] DO99 (processing status) missing");
        if (status.Value.Length != 2) throw new SecureMessagingException($"[UnwrapResponse] DO99 has {status.Value.Length} bytes, not 2");
        byte[] data = cryptogram is null ? [] : DecryptDataObject(counter, cryptogram, "UnwrapResponse");
        return new ResponseApdu(data, (ushort)((status.Value[0] << 8) | status.Value[1]));
    }

    /// <summary>Card: checks and decrypts a protected command. Throws <see cref="SecureMessagingException"/> on a wrong MAC.</summary>
    public CommandApdu UnwrapCommand(ReadOnlySpan<byte> protectedCommand)
    {
        CommandApdu command = CommandApdu.Parse(protectedCommand);
        IncrementCounter();
        if ((command.Cla & SecureMessagingClassBits) != SecureMessagingClassBits)
            throw new SecureMessagingException($"[UnwrapCommand] CLA {command.Cla:X2} is not a secure-messaging class");
        IReadOnlyList<Tlv> objects = BerTlv.ParseAll(command.Data);
        byte[] header = Padding.Pad([command.Cla, command.Ins, command.P1, command.P2], cipher.BlockSize());
        (Tlv? cryptogram, _) = SplitAtChecksum(ssc, objects, "UnwrapCommand", header);
        int ne = 0;
        Tlv? expected = BerTlv.Find(objects, TagExpectedLength);
        if (expected is not null)
        {
            ne = expected.Value.Length switch
            {
                1 => expected.Value[0] == 0 ? CommandApdu.MaxShortNe : expected.Value[0],
                2 => ((expected.Value[0] << 8) | expected.Value[1]) is int le && le != 0 ? le : CommandApdu.MaxExtendedNe,
                _ => throw new SecureMessagingException($"[UnwrapCommand] DO97 has {expected.Value.Length} bytes"),
            };
        }
        byte[] data = cryptogram is null ? [] : DecryptDataObject(ssc, cryptogram, "UnwrapCommand");
        return new CommandApdu((byte)(command.Cla & ~SecureMessagingClassBits), command.Ins, command.P1, command.P2, data, ne);
    }

    /// <summary>Card: protects a plain response (DO87 for data, DO99 for the status, DO8E over both).</summary>
    public byte[] WrapResponse(ResponseApdu plain)
    {
        IncrementCounter();
        var dataObjects = new List<byte>();
        if (plain.Data.Length > 0) dataObjects.AddRange(EncryptToDataObject(plain.Data, oddInstruction: false));
        dataObjects.AddRange(BerTlv.Encode(TagProcessingStatus, [(byte)(plain.StatusWord >> 8), (byte)plain.StatusWord]));
        byte[] checksum = Mac(dataObjects.ToArray());
        dataObjects.AddRange(BerTlv.Encode(TagChecksum, checksum));
        return new ResponseApdu(dataObjects.ToArray(), plain.StatusWord).Encode();
    }

    /// <summary>
    /// The objects before DO8E are what the checksum covers; DO8E must come last. Verifies the checksum in constant time.
    /// </summary>
    private (Tlv? Cryptogram, Tlv? Status) SplitAtChecksum(byte[] counter, IReadOnlyList<Tlv> objects, string step, byte[]? prefix = null)
    {
        var authenticated = new List<byte>(prefix ?? []);
        Tlv? cryptogram = null, status = null, checksum = null;
        foreach (Tlv tlv in objects)
        {
            if (checksum is not null) throw new SecureMessagingException($"[{step}] data object {tlv.Tag:X} after DO8E");
            switch (tlv.Tag)
            {
                case TagChecksum: checksum = tlv; continue;
                case TagCryptogramWithPaddingIndicator or TagCryptogramOddIns:
                    if (cryptogram is not null) throw new SecureMessagingException($"[{step}] two cryptograms");
                    cryptogram = tlv;
                    break;
                case TagProcessingStatus: status = tlv; break;
                case TagExpectedLength: break;
                default: throw new SecureMessagingException($"[{step}] unexpected data object {tlv.Tag:X}");
            }
            authenticated.AddRange(tlv.Encoded);
        }
        if (checksum is null) throw new SecureMessagingException($"[{step}] DO8E (cryptographic checksum) missing");
        byte[] expected = Mac(counter, authenticated.ToArray());
        if (!CryptographicOperations.FixedTimeEquals(expected, checksum.Value))
            throw new SecureMessagingException($"[{step}] MAC mismatch (checksum of {checksum.Value.Length} bytes does not verify)");
        return (cryptogram, status);
    }

    private byte[] Mac(byte[] message) => Mac(ssc, message);

    private byte[] Mac(byte[] counter, byte[] message)
    {
        byte[] input = Padding.Pad([.. counter, .. message], cipher.BlockSize());
        return MessageAuthentication.OverPadded(cipher, macKey, input);
    }

    private byte[] EncryptToDataObject(byte[] plainData, bool oddInstruction)
    {
        byte[] encrypted = BlockCiphers.Encrypt(cipher, encryptionKey, Iv(ssc), Padding.Pad(plainData, cipher.BlockSize()));
        return oddInstruction
            ? BerTlv.Encode(TagCryptogramOddIns, encrypted)
            : BerTlv.Encode(TagCryptogramWithPaddingIndicator, [PaddingIndicator, .. encrypted]);
    }

    private byte[] DecryptDataObject(byte[] counter, Tlv cryptogram, string step)
    {
        ReadOnlySpan<byte> encrypted = cryptogram.Value;
        if (cryptogram.Tag == TagCryptogramWithPaddingIndicator)
        {
            if (encrypted.Length == 0 || encrypted[0] != PaddingIndicator)
                throw new SecureMessagingException($"[{step}] DO87 without padding indicator 01");
            encrypted = encrypted[1..];
        }
        if (encrypted.Length == 0 || encrypted.Length % cipher.BlockSize() != 0)
            throw new SecureMessagingException($"[{step}] cryptogram of {encrypted.Length} bytes is not whole blocks");
        byte[] padded = BlockCiphers.Decrypt(cipher, encryptionKey, Iv(counter), encrypted);
        try { return Padding.Unpad(padded); }
        catch (MalformedDataException) { throw new SecureMessagingException($"[{step}] decrypted data has no 80 padding"); }
    }

    /// <summary>3DES uses IV 0; AES uses E(KS_enc, SSC) (Part 11 §9.8.6.1).</summary>
    private byte[] Iv(byte[] counter) => cipher == CipherKind.TripleDes ? new byte[8] : BlockCiphers.AesEncryptBlock(encryptionKey, counter);

    private static byte[] EncodeLe(int ne) => ne switch
    {
        CommandApdu.MaxShortNe => [0x00],
        < CommandApdu.MaxShortNe => [(byte)ne],
        CommandApdu.MaxExtendedNe => [0x00, 0x00],
        _ => [(byte)(ne >> 8), (byte)ne],
    };

    private void IncrementCounter()
    {
        for (int i = ssc.Length - 1; i >= 0; i--)
            if (++ssc[i] != 0) break;
    }
}

/// <summary>The counter value a pipelined command's response is checked with (<see cref="SecureMessagingSession.WrapCommand(CommandApdu, out ResponseSlot)"/>).</summary>
public readonly struct ResponseSlot
{
    internal ResponseSlot(byte[] counter) => Counter = counter;

    internal byte[]? Counter { get; }
}
