namespace Kiosk.Firmware.Mqtt
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

    public static class Reply
    {
        /// <summary>Result code then body; the body is sent only with Ok.</summary>
        public static byte[] Build(ReplyResult result, byte[] body)
        {
            int bodyLength = result == ReplyResult.Ok && body != null ? body.Length : 0;
            byte[] reply = new byte[1 + bodyLength];
            reply[0] = (byte)result;
            if (bodyLength > 0) System.Array.Copy(body, 0, reply, 1, bodyLength);
            return reply;
        }
    }
}
