/*
 * driverapi fixture: block-storage classes for the inventory. Original code written for Parascope's tests.
 */
#include <IOKit/IOKitMini.h>

class FixtureDiskNub : public IOBlockStorageDevice {
public:
	bool start(IOService *provider) override;
};

/* An abstract base and a subclass two levels below IOService. */
class FixtureDiskBase : public IOService {
};

class FixtureDiskController : public FixtureDiskBase {
public:
	bool start(IOService *provider) override;
	IOReturn registerInterrupt(int source, OSObject *target, IOInterruptAction handler, void *refCon = 0) override;
};

/* An IOService whose ancestry and name say nothing of its family. */
class FixtureHelperService : public IOService {
};

/* Not an IOService: stays out of the inventory. */
class FixtureDiskQueue : public OSObject {
};

OSDefineMetaClassAndStructors(FixtureDiskNub, IOBlockStorageDevice)
OSDefineMetaClassAndAbstractStructors(FixtureDiskBase, IOService)
OSDefineMetaClassAndStructors(FixtureDiskController, FixtureDiskBase)

bool
FixtureDiskNub::start(IOService *provider)
{
	return IOBlockStorageDevice::start(provider);
}

bool
FixtureDiskController::start(IOService *provider)
{
	(void)provider;
	// Resolves to the subclass's own override; it matches because FixtureDiskController derives from IOService.
	return registerInterrupt(0, this, nullptr) == 0; // expect: driver-api.ioservice-interrupt
}
