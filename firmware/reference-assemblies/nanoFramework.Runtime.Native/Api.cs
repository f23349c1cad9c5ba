// Public API of nanoFramework.Runtime.Native 1.7.11 (signatures from ../nano-packages-api.txt); no implementation.
using System;

namespace System
{
    public static class Environment
    {
        public static long TickCount64 { get { throw null; } }
    }
}

namespace nanoFramework.Runtime.Native
{
    public class ConstraintException : Exception
    {
    }

    public static class ExecutionConstraint
    {
        public static void Install(int timeoutMilliseconds, int priority) { throw null; }
    }

    public static class GC
    {
        public static uint Run(bool compactHeap) { throw null; }
        public static void EnableGCMessages(bool enable) { throw null; }
    }

    public class Power
    {
        public static event RebootEventHandler OnRebootEvent { add { throw null; } remove { throw null; } }
        public static void RebootDevice(RebootOption rebootOption = RebootOption.NormalReboot) { throw null; }
        public static void RebootDevice(int exeConstraintTimeout, RebootOption rebootOption = RebootOption.NormalReboot) { throw null; }
    }

    public delegate void RebootEventHandler();

    public enum RebootOption
    {
        NormalReboot = 0,
        EnterNanoBooter = 1,
        ClrOnly = 2,
        EnterProprietaryBooter = 8,
    }

    public static class Rtc
    {
        public static bool SetSystemTime(System.DateTime time) { throw null; }
    }

    public static class SystemInfo
    {
        public static Version Version { get { throw null; } }
        public static string OEMString { get { throw null; } }
        public static byte OEM { get { throw null; } }
        public static byte Model { get { throw null; } }
        public static ushort SKU { get { throw null; } }
        public static string TargetName { get { throw null; } }
        public static string Platform { get { throw null; } }
        public static FloatingPoint FloatingPointSupport { get { throw null; } }

        public enum FloatingPoint
        {
            None = 0,
            SinglePrecisionSoftware = 1,
            SinglePrecisionHardware = 2,
            DoublePrecisionSoftware = 3,
            DoublePrecisionHardware = 4,
        }
    }
}
