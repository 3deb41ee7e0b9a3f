/*
 * mini-xnu: a tiny stand-in for the IOKit class hierarchy, just enough for the sample driver.
 * Original code for Parascope's sample tree.
 */
#ifndef _MINI_IOKIT_IOSERVICE_H
#define _MINI_IOKIT_IOSERVICE_H

#include <stdint.h>

typedef uint64_t IOPhysicalAddress64;
typedef uint64_t IOByteCount;
typedef int IOReturn;
typedef void (*IOInterruptAction)(void *target, void *refCon, void *nub, int source);

class OSObject {
public:
	virtual ~OSObject() {}
	virtual void release() const {}
};

class IOService : public OSObject {
public:
	virtual bool start(IOService *provider) { return provider != 0; }
	virtual void stop(IOService *provider) { (void)provider; }
	virtual IOReturn registerInterrupt(int source, OSObject *target, IOInterruptAction handler, void *refCon = 0);
	virtual IOReturn enableInterrupt(int source);
};

class IOPCIDevice : public IOService {
public:
	virtual uint32_t configRead32(uint8_t offset);
	virtual void configWrite32(uint8_t offset, uint32_t data);
	virtual bool setBusMasterEnable(bool enable);
};

class IOMemoryDescriptor : public OSObject {
public:
	virtual IOReturn prepare(int direction = 0);
	virtual IOPhysicalAddress64 getPhysicalSegment(IOByteCount offset, IOByteCount *length, uint32_t options = 0);
};

/* An unrelated class with a same-named method: not a driver API. */
class MiniCache {
public:
	IOReturn prepare(int direction = 0) { return direction; }
};

#endif
