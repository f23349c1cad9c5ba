// Public API of nanoFramework.System.Collections 1.5.75 (signatures from ../nano-packages-api.txt); no implementation.
// ArrayList, ICollection, IEnumerable, IEnumerator and ICloneable are mscorlib's.
using System;

namespace System.Collections
{
    [Serializable]
    public class DictionaryEntry
    {
        public Object Key;
        public Object Value;
        public DictionaryEntry(Object key, Object value) { throw null; }
    }

    [Serializable]
    public class Hashtable : ICloneable, IDictionary
    {
        public Hashtable() { throw null; }
        public Hashtable(int capacity) { throw null; }
        public Hashtable(int capacity, float loadFactor) { throw null; }
        public object Clone() { throw null; }
        public IEnumerator GetEnumerator() { throw null; }
        public int Count { get { throw null; } }
        public bool IsSynchronized { get { throw null; } }
        public object SyncRoot { get { throw null; } }
        public void CopyTo(Array array, int arrayIndex) { throw null; }
        public bool IsReadOnly { get { throw null; } }
        public bool IsFixedSize { get { throw null; } }
        public ICollection Keys { get { throw null; } }
        public ICollection Values { get { throw null; } }
        public object this[object key] { get { throw null; } set { throw null; } }
        public void Add(object key, object value) { throw null; }
        public void Clear() { throw null; }
        public bool Contains(object key) { throw null; }
        public void Remove(object key) { throw null; }
    }

    public interface IDictionary : ICollection
    {
        bool IsReadOnly { get; }
        bool IsFixedSize { get; }
        ICollection Keys { get; }
        ICollection Values { get; }
        object this[object key] { get; set; }
        void Add(object key, object value);
        void Clear();
        bool Contains(object key);
        void Remove(object key);
    }

    public interface IDictionaryEnumerator : IEnumerator
    {
        object Key { get; }
        object Value { get; }
        DictionaryEntry Entry { get; }
    }

    [Serializable]
    public class Queue : ICollection, ICloneable
    {
        public Queue() { throw null; }
        public virtual int Count { get { throw null; } }
        public virtual Object Clone() { throw null; }
        public virtual bool IsSynchronized { get { throw null; } }
        public virtual Object SyncRoot { get { throw null; } }
        public virtual void Clear() { throw null; }
        public virtual void CopyTo(Array array, int index) { throw null; }
        public virtual void Enqueue(Object obj) { throw null; }
        public virtual IEnumerator GetEnumerator() { throw null; }
        public virtual Object Dequeue() { throw null; }
        public virtual Object Peek() { throw null; }
        public virtual bool Contains(Object obj) { throw null; }
        public virtual Object[] ToArray() { throw null; }
    }

    [Serializable]
    public class Stack : ICollection, ICloneable
    {
        public Stack() { throw null; }
        public virtual int Count { get { throw null; } }
        public virtual bool IsSynchronized { get { throw null; } }
        public virtual Object SyncRoot { get { throw null; } }
        public virtual void Clear() { throw null; }
        public virtual Object Clone() { throw null; }
        public virtual bool Contains(Object obj) { throw null; }
        public virtual void CopyTo(Array array, int index) { throw null; }
        public virtual IEnumerator GetEnumerator() { throw null; }
        public virtual Object Peek() { throw null; }
        public virtual Object Pop() { throw null; }
        public virtual void Push(Object obj) { throw null; }
        public virtual Object[] ToArray() { throw null; }
    }
}
