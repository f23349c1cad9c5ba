namespace Kiosk.Firmware.Devices.Fingerprint
{
    /// <summary>Instruction codes of the R30x / R503 / AS608 family (Adafruit-Fingerprint-Sensor-Library).</summary>
    public static class FingerprintInstruction
    {
        public const byte GenImg = 0x01;
        public const byte Img2Tz = 0x02;
        public const byte Match = 0x03;
        public const byte Search = 0x04;
        public const byte RegModel = 0x05;
        public const byte Store = 0x06;
        public const byte LoadChar = 0x07;
        public const byte UpChar = 0x08;
        public const byte DeleteChar = 0x0C;
        public const byte Empty = 0x0D;
        public const byte WriteReg = 0x0E;
        public const byte ReadSysPara = 0x0F;
        public const byte VfyPwd = 0x13;
        public const byte TemplateNum = 0x1D;
        public const byte AuraLedConfig = 0x35;
    }

    /// <summary>The module's confirmation codes (first byte of every ack packet).</summary>
    public enum FingerprintConfirmation
    {
        Ok = 0x00,
        PacketReceiveError = 0x01,
        NoFinger = 0x02,
        ImageFail = 0x03,
        ImageMessy = 0x06,
        FeatureFail = 0x07,
        NoMatch = 0x08,
        NotFound = 0x09,
        EnrollMismatch = 0x0A,
        BadLocation = 0x0B,
        DbRangeFail = 0x0C,
        UploadFeatureFail = 0x0D,
        PacketResponseFail = 0x0E,
        UploadFail = 0x0F,
        DeleteFail = 0x10,
        DbClearFail = 0x11,
        PasswordFail = 0x13,
        InvalidImage = 0x15,
        FlashError = 0x18,
        InvalidRegister = 0x1A,
        AddressCode = 0x20,
        PasswordRequired = 0x21,
    }

    public enum FingerprintStatus
    {
        /// <summary>The module answered; look at Confirmation.</summary>
        Answered = 0,
        /// <summary>No ack packet in time.</summary>
        Timeout = 1,
        /// <summary>Only garbled packets (bad checksum, bad type) or an empty ack arrived before the deadline.</summary>
        Garbled = 2,
    }

    public class FingerprintResult
    {
        public FingerprintStatus Status;
        public FingerprintConfirmation Confirmation;
        /// <summary>The ack's data after the confirmation code.</summary>
        public byte[] Data;

        public bool IsOk { get { return Status == FingerprintStatus.Answered && Confirmation == FingerprintConfirmation.Ok; } }
    }

    /// <summary>ReadSysPara's 16 bytes (big-endian fields).</summary>
    public class FingerprintSystemParameters
    {
        public int StatusRegister;
        public int SystemId;
        public int Capacity;
        public int SecurityLevel;
        public uint DeviceAddress;
        public int PacketLength;
        public int BaudRate;

        /// <summary>Null when the data is shorter than the 16 bytes the module sends.</summary>
        public static FingerprintSystemParameters Parse(byte[] data)
        {
            if (data == null || data.Length < 16) return null;
            FingerprintSystemParameters p = new FingerprintSystemParameters();
            p.StatusRegister = (data[0] << 8) | data[1];
            p.SystemId = (data[2] << 8) | data[3];
            p.Capacity = (data[4] << 8) | data[5];
            p.SecurityLevel = (data[6] << 8) | data[7];
            p.DeviceAddress = ((uint)data[8] << 24) | ((uint)data[9] << 16) | ((uint)data[10] << 8) | data[11];
            int sizeCode = (data[12] << 8) | data[13];
            p.PacketLength = sizeCode <= 3 ? 32 << sizeCode : 0;
            p.BaudRate = ((data[14] << 8) | data[15]) * 9600;
            return p;
        }
    }
}
