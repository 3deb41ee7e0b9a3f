/*
 * driverapi fixture: a small IOKit-like class hierarchy. Original code written for Parascope's tests.
 */
#ifndef _FIXTURE_IOKIT_MINI_H
#define _FIXTURE_IOKIT_MINI_H

typedef unsigned long long IOPhysicalAddress64;
typedef unsigned long long IOByteCount;
typedef int IOReturn;
typedef unsigned int UInt32;
typedef unsigned char UInt8;
typedef void (*IOInterruptAction)(void *target, void *refCon, void *nub, int source);

/* The metaclass macros expand to nothing here; only their arguments matter to the inventory. */
#define OSDeclareDefaultStructors(className)
#define OSDefineMetaClassAndStructors(className, superclassName)
#define OSDefineMetaClassAndAbstractStructors(className, superclassName)

class OSObject {
public:
	virtual ~OSObject() {}
	virtual void release() const {}
};

class IOMemoryDescriptor : public OSObject {
public:
	virtual IOReturn prepare(int direction = 0);
	virtual IOReturn complete(int direction = 0);
	virtual IOPhysicalAddress64 getPhysicalSegment(IOByteCount offset, IOByteCount *length, UInt32 options = 0);
	virtual IOByteCount getLength() const;
};

class IOGeneralMemoryDescriptor : public IOMemoryDescriptor {
public:
	IOPhysicalAddress64 getPhysicalSegment(IOByteCount offset, IOByteCount *length, UInt32 options = 0) override;
};

class IOBufferMemoryDescriptor : public IOGeneralMemoryDescriptor {
public:
	static IOBufferMemoryDescriptor *inTaskWithPhysicalMask(void *task, UInt32 options, IOByteCount capacity, IOPhysicalAddress64 mask);
};

class IODMACommand : public OSObject {
public:
	static IODMACommand *withSpecification(UInt8 addressBits, IOByteCount maxSegment);
	virtual IOReturn setMemoryDescriptor(IOMemoryDescriptor *md);
	virtual IOReturn gen64IOVMSegments(unsigned long long *offset, void *segments, UInt32 *count);
	/* What OSDeclareDefaultStructors declares in every class. */
	virtual const void *getMetaClass() const;
};

class IODeviceMemory;

class IOService : public OSObject {
public:
	virtual bool start(IOService *provider);
	virtual void stop(IOService *provider);
	virtual IOReturn registerInterrupt(int source, OSObject *target, IOInterruptAction handler, void *refCon = 0);
	virtual IOReturn enableInterrupt(int source);
	virtual IODeviceMemory *getDeviceMemoryWithIndex(unsigned int index);
	virtual IOService *getProvider() const;
};

class IODeviceMemory : public IOMemoryDescriptor {
public:
	static IODeviceMemory *withRange(IOPhysicalAddress64 start, IOByteCount length);
};

class IOPCIDevice : public IOService {
public:
	virtual UInt32 configRead32(UInt8 offset);
	virtual void configWrite32(UInt8 offset, UInt32 data);
	virtual bool setBusMasterEnable(bool enable);
	virtual UInt8 ioRead8(UInt32 offset);
};

class IOInterruptEventSource : public OSObject {
public:
	static IOInterruptEventSource *interruptEventSource(OSObject *owner, void *action, IOService *provider = 0, int intIndex = 0);
	virtual void disable();
};

class IOFilterInterruptEventSource : public IOInterruptEventSource {
public:
	static IOFilterInterruptEventSource *filterInterruptEventSource(OSObject *owner, void *action, void *filter, IOService *provider, int intIndex = 0);
};

class IONetworkController : public IOService {
public:
	virtual bool configureInterface(void *netif);
};

class IOEthernetController : public IONetworkController {
};

class IOBlockStorageDevice : public IOService {
};

/* Unrelated classes whose methods share names with IOKit's: never driver-api findings. */
class FixtureCache {
public:
	IOReturn prepare(int direction = 0) { return direction; }
	IOPhysicalAddress64 getPhysicalSegment(IOByteCount offset, IOByteCount *length, UInt32 options = 0) { return offset + (length ? *length : 0) + options; }
};

class FixtureRegisterFile {
public:
	UInt32 configRead32(UInt8 offset) { return offset; }
	IOReturn registerInterrupt(int source) { return source; }
};

#endif
