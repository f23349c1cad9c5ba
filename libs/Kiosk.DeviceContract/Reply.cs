namespace Kiosk.DeviceContract
{
    /// <summary>The first byte of every binary Reply (docs/mqtt.md, "Reply").</summary>
    public enum ReplyResult
    {
        Ok = 0,
        NoCard = 1,
        Timeout = 2,
        DeviceError = 3,
        PaperOut = 4,
        CoverOpen = 5,
        BadRequest = 6,
    }

    /// <summary>The binary Reply: byte 0 the result code, bytes 1..n the body (sent only with Ok).</summary>
    public static class Reply
    {
        /// <summary>The highest result code this contract defines; a reply with a higher one is malformed.</summary>
        public const int MaxResultCode = 6;

        public static byte[] Build(ReplyResult result, byte[] body)
        {
            int bodyLength = result == ReplyResult.Ok && body != null ? body.Length : 0;
            byte[] reply = new byte[1 + bodyLength];
            reply[0] = (byte)result;
            if (bodyLength > 0) System.Array.Copy(body, 0, reply, 1, bodyLength);
            return reply;
        }

        /// <summary>False for an empty payload or an unknown result code.</summary>
        public static bool IsWellFormed(byte[] payload)
        {
            return payload != null && payload.Length >= 1 && payload[0] <= MaxResultCode;
        }

        public static ReplyResult ResultOf(byte[] payload) { return (ReplyResult)payload[0]; }

        public static byte[] BodyOf(byte[] payload)
        {
            byte[] body = new byte[payload.Length - 1];
            System.Array.Copy(payload, 1, body, 0, body.Length);
            return body;
        }

        /// <summary>The name as docs/mqtt.md writes it (nanoFramework's Enum.ToString gives the number).</summary>
        public static string NameOf(ReplyResult result)
        {
            switch (result)
            {
                case ReplyResult.Ok: return "Ok";
                case ReplyResult.NoCard: return "NoCard";
                case ReplyResult.Timeout: return "Timeout";
                case ReplyResult.DeviceError: return "DeviceError";
                case ReplyResult.PaperOut: return "PaperOut";
                case ReplyResult.CoverOpen: return "CoverOpen";
                case ReplyResult.BadRequest: return "BadRequest";
                default: return "Unknown";
            }
        }
    }
}
