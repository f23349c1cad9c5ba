// Public API of nanoFramework.Runtime.Events 1.11.37 (signatures from ../nano-packages-api.txt); no implementation.
using System;

namespace nanoFramework.Runtime.Events
{
    public class BaseEvent
    {
        public ushort Source;
        public byte Message;
    }

    public static class CustomEvent
    {
        public static event CustomEventPostedEventHandler CustomEventPosted { add { throw null; } remove { throw null; } }
    }

    public class CustomEventArgs : EventArgs
    {
        internal CustomEventArgs() { throw null; }
        public ushort Data1 { get { throw null; } }
        public uint Data2 { get { throw null; } }
    }

    public delegate void CustomEventPostedEventHandler(Object sender, CustomEventArgs e);

    public enum EventCategory
    {
        Unknown = 0,
        Custom = 10,
        Gpio = 20,
        SerialDevice = 30,
        Network = 40,
        WiFi = 50,
        Can = 60,
        Storage = 70,
        Radio = 80,
        HighResolutionTimer = 90,
        Bluetooth = 100,
        Usb = 110,
        Touch = 120,
        Gesture = 130,
        OpenThread = 140,
        EspNow = 150,
    }

    public class EventSink : NativeEventDispatcher
    {
        internal EventSink() : base(null, 0) { throw null; }
        public static void AddEventListener(EventCategory eventCategory, IEventListener eventListener) { throw null; }
        public static void AddEventFilter(EventCategory eventCategory, IEventListener eventFilter) { throw null; }
        public static void AddEventProcessor(EventCategory eventCategory, IEventProcessor eventProcessor) { throw null; }
        public static void RemoveEventListener(EventCategory eventCategory, IEventListener eventListener) { throw null; }
        public static void RemoveEventFilter(EventCategory eventCategory, IEventListener eventFilter) { throw null; }
        public static void RemoveEventProcessor(EventCategory eventCategory, IEventProcessor eventProcessor) { throw null; }
        public static void PostManagedEvent(byte category, byte subCategory, ushort data1, uint data2) { throw null; }
    }

    public class GenericEvent : BaseEvent
    {
        public byte Category;
        public uint Data;
        public DateTime Time;
    }

    public interface IEventListener
    {
        void InitializeForEventSource();
        bool OnEvent(BaseEvent ev);
    }

    public interface IEventProcessor
    {
        BaseEvent ProcessEvent(uint data1, uint data2, DateTime time);
    }

    public class NativeEventDispatcher : IDisposable
    {
        protected NativeEventHandler threadSpawn;
        protected NativeEventHandler callbacks;
        protected bool disposed;
        public NativeEventDispatcher(string driverName, ulong driverData) { throw null; }
        public virtual void EnableInterrupt() { throw null; }
        public virtual void DisableInterrupt() { throw null; }
        protected virtual void Dispose(bool disposing) { throw null; }
        public void Dispose() { throw null; }
        public event NativeEventHandler OnInterrupt { add { throw null; } remove { throw null; } }
    }

    public delegate void NativeEventHandler(uint data1, uint data2, DateTime time);

    public static class WeakDelegate
    {
        public static System.Delegate Combine(System.Delegate a, System.Delegate b) { throw null; }
        public static System.Delegate Remove(System.Delegate a, System.Delegate b) { throw null; }
    }
}
