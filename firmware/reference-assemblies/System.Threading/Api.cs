// Public API of nanoFramework.System.Threading 1.1.52 (signatures from ../nano-packages-api.txt); no implementation.
using System;

namespace System.Threading
{
    public struct CancellationToken
    {
        public static CancellationToken None { get { throw null; } }
        public bool IsCancellationRequested { get { throw null; } }
        public bool CanBeCanceled { get { throw null; } }
        public WaitHandle WaitHandle { get { throw null; } }
        public CancellationToken(bool canceled) { throw null; }
        public CancellationTokenRegistration Register(Action callback) { throw null; }
        public bool Equals(CancellationToken other) { throw null; }
        public override bool Equals(Object other) { throw null; }
        public override Int32 GetHashCode() { throw null; }
        public void ThrowIfCancellationRequested() { throw null; }
    }

    public struct CancellationTokenRegistration : IDisposable
    {
        public void Dispose() { throw null; }
        public static bool operator ==(CancellationTokenRegistration left, CancellationTokenRegistration right) { throw null; }
        public static bool operator !=(CancellationTokenRegistration left, CancellationTokenRegistration right) { throw null; }
        public override bool Equals(object obj) { throw null; }
        public bool Equals(CancellationTokenRegistration other) { throw null; }
        public override int GetHashCode() { throw null; }
    }

    public class CancellationTokenSource : IDisposable
    {
        public bool IsCancellationRequested { get { throw null; } }
        public CancellationToken Token { get { throw null; } }
        public CancellationTokenSource(Int32 millisecondsDelay) { throw null; }
        public CancellationTokenSource(TimeSpan delay) { throw null; }
        public CancellationTokenSource() { throw null; }
        public void Cancel() { throw null; }
        public void Cancel(bool throwOnFirstException) { throw null; }
        public void CancelAfter(TimeSpan delay) { throw null; }
        public void CancelAfter(Int32 millisecondsDelay) { throw null; }
        public void Dispose() { throw null; }
        protected virtual void Dispose(bool disposing) { throw null; }
    }

    [Serializable]
    public class OperationCanceledException : SystemException
    {
        public OperationCanceledException() { throw null; }
        public OperationCanceledException(String message) { throw null; }
        public OperationCanceledException(String message, Exception innerException) { throw null; }
    }
}
